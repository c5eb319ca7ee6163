//! JavaScript's random numbers and dates, for engine code that needs them.
//!
//! Time and chance come from the caller's JavaScript at each call: `Date.now()` as a
//! `now` argument, `Math.random` as a function argument called only when the engine
//! draws. Looking them up here would not do: under jest each test file runs in its
//! own realm, whose faked `Date` and spied `Math.random` the addon cannot see.

use napi::bindgen_prelude::*;

/// Draws from the caller's `Math.random` on demand, for engine code that takes a
/// `&mut dyn FnMut() -> f64`. The engine cannot fail, JavaScript can: the first
/// error is kept, later draws return NaN, and [`Dice::finish`] reports it.
pub struct Dice<'f, 'env> {
    random: &'f Function<'env, (), f64>,
    error: Option<Error>,
}

impl<'f, 'env> Dice<'f, 'env> {
    pub fn new(random: &'f Function<'env, (), f64>) -> Self {
        Dice {
            random,
            error: None,
        }
    }

    pub fn draw(&mut self) -> f64 {
        if self.error.is_some() {
            return f64::NAN;
        }
        match self.random.call(()) {
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

/// A `Date` for `ms` (in the addon's realm: `js/realm.js` moves it to the caller's).
pub fn date(env: &Env, ms: f64) -> Result<Unknown<'_>> {
    Ok(env.create_date(ms)?.to_unknown())
}
