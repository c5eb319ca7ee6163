//! `weightedRandomSelect`'s rule for JavaScript: which index a weighted draw picks.

use napi::bindgen_prelude::*;

use crate::clock::Dice;

/// The index `weightedRandomSelect` picks among `weights`, or null; draws from
/// `random` only when there is something to pick from, as the original.
#[napi]
pub fn weighted_pick(weights: Vec<f64>, random: Function<(), f64>) -> Result<Option<u32>> {
    let mut dice = Dice::new(&random);
    let pick = engine::select::weighted_pick(&weights, &mut || dice.draw());
    dice.finish()?;
    Ok(pick.map(|index| index as u32))
}

/// An empty object built here, so that JavaScript can tell whether the addon's
/// objects share its realm (they do not under jest: see `js/realm.js`).
#[napi]
pub fn realm_probe(env: &Env) -> Result<Object<'_>> {
    Object::new(env)
}
