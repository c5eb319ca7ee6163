//! Weighted random choice among candidates, draw for draw as the original chooses.

/// The index `weightedRandomSelect` would pick for these weights.
///
/// `None` for no candidates or a total weight that is not positive, and then
/// `draw` is not called; otherwise it is called exactly once. The comparisons
/// are JavaScript's: a NaN weight makes the total NaN, which is not `<= 0`, so
/// a draw still happens and, every running sum then failing `r <= sum`, the
/// last candidate wins.
pub fn weighted_pick(weights: &[f64], draw: &mut dyn FnMut() -> f64) -> Option<usize> {
    if weights.is_empty() {
        return None;
    }
    let total = weights.iter().fold(0.0, |sum, weight| sum + weight);
    if total <= 0.0 {
        return None;
    }
    let target = draw() * total;
    let mut running = 0.0;
    for (index, weight) in weights.iter().enumerate() {
        running += weight;
        if target <= running {
            return Some(index);
        }
    }
    Some(weights.len() - 1)
}

#[cfg(test)]
mod tests;
