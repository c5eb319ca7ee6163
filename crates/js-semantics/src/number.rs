//! Numbers as JavaScript prints them: `Number.prototype.toString()`, which is also what
//! `JSON.stringify` and the JS SDK's serialiser write for a finite number.
//!
//! Rust's `{}` differs for large and small magnitudes (`1e21` vs `1000000000000000000000`,
//! `1e-7` vs `0.0000001`) and for `-0`; ryu-js picks the same shortest round-trip digits
//! and lays them out as ECMA-262's Number::toString does.

/// `String(n)`: `NaN`, `Infinity`, `-Infinity`, `0` for -0, shortest round-trip digits.
pub fn number_to_js_string(n: f64) -> String {
    ryu_js::Buffer::new().format(n).to_owned()
}

/// Appends `String(n)` to `out`, without an allocation of its own.
pub fn write_js_number(out: &mut String, n: f64) {
    out.push_str(ryu_js::Buffer::new().format(n));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js_number(n: f64) -> String {
        let mut out = String::new();
        write_js_number(&mut out, n);
        assert_eq!(out, number_to_js_string(n));
        out
    }

    #[test]
    fn spells_numbers_like_javascript() {
        for (n, js) in [
            (0.7, "0.7"),
            (-0.0, "0"),
            (1.0, "1"),
            (-42.0, "-42"),
            (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (2f64.powi(64), "18446744073709552000"),
            (-(2f64.powi(63)), "-9223372036854776000"),
            (2f64.powi(53) + 2.0, "9007199254740994"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.2345e-7, "1.2345e-7"),
            (0.000123, "0.000123"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(js_number(n), js, "{n:?}");
        }
    }

    /// 4,000 doubles (edges, powers of ten, random bit patterns, short decimals) and what
    /// `String(n)` gave for each in Node (tests/fixtures/js-sdk.json, scripts/gen-fixtures.js).
    #[test]
    fn spells_every_fixture_number_as_node_did() {
        let fixtures: serde_json::Value =
            serde_json::from_slice(include_bytes!("../../transport/tests/fixtures/js-sdk.json"))
                .expect("fixture is JSON");
        let cases = fixtures["numbers"].as_array().expect("numbers");
        assert!(cases.len() >= 4000);
        for case in cases {
            let pair = case.as_array().expect("[bits, text]");
            let bits = u64::from_str_radix(pair[0].as_str().expect("hex"), 16).expect("hex");
            let js = pair[1].as_str().expect("text");
            assert_eq!(js_number(f64::from_bits(bits)), js, "bits {bits:016x}");
        }
    }
}
