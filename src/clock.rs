//! JavaScript's clock and random numbers, looked up at every call.
//!
//! Looked up rather than cached because callers replace them: jest's fake timers
//! swap `Date`, `jest.spyOn(Math, 'random')` swaps `Math.random`.

use napi::bindgen_prelude::*;
use napi::JsGlobal;

/// `Date.now()` as the caller's JavaScript sees it.
pub fn now(env: &Env) -> Result<f64> {
    let global: JsGlobal = env.get_global()?;
    // `Date` is a function; its static `now` is read through its object face.
    let date: Unknown = global.get_named_property("Date")?;
    let date = date.coerce_to_object()?;
    let now: Function<(), f64> = date.get_named_property("now")?;
    now.apply(date, ())
}

/// Draws `Math.random()` on demand for engine code that takes a
/// `&mut dyn FnMut() -> f64`. The engine cannot fail, JavaScript can: the first
/// error is kept, later draws return NaN, and [`Dice::finish`] reports it.
pub struct Dice<'env> {
    env: &'env Env,
    error: Option<Error>,
}

impl<'env> Dice<'env> {
    pub fn new(env: &'env Env) -> Self {
        Dice { env, error: None }
    }

    pub fn draw(&mut self) -> f64 {
        if self.error.is_some() {
            return f64::NAN;
        }
        match random(self.env) {
            Ok(value) => value,
            Err(error) => {
                self.error = Some(error);
                f64::NAN
            }
        }
    }

    pub fn finish(self) -> Result<()> {
        self.error.map_or(Ok(()), Err)
    }
}

fn random(env: &Env) -> Result<f64> {
    let global: JsGlobal = env.get_global()?;
    let math: Object = global.get_named_property("Math")?;
    let random: Function<(), f64> = math.get_named_property("random")?;
    random.apply(math, ())
}

/// A JavaScript `Date` for `ms`.
pub fn date(env: &Env, ms: f64) -> Result<Unknown<'_>> {
    Ok(env.create_date(ms)?.to_unknown())
}
