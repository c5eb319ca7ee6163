//! `weightedRandomSelect`'s rule for JavaScript: which index a weighted draw picks.

use napi::bindgen_prelude::*;

use crate::clock::Dice;

/// The index `weightedRandomSelect` picks among `weights`, or null; draws from
/// `random` only when there is something to pick from, as the original.
#[napi(catch_unwind)]
pub fn weighted_pick(weights: Vec<f64>, random: Function<(), f64>) -> Result<Option<u32>> {
    let mut dice = Dice::new(&random);
    let pick = engine::select::weighted_pick(&weights, &mut || dice.draw());
    dice.finish()?;
    Ok(pick.map(|index| index as u32))
}
