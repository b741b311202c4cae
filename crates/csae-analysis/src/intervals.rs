//! 95% confidence intervals of the population context (`series.md`): the exact Poisson interval
//! of a count, from quantiles of the chi-squared distribution (`statrs`), and the Wilson score
//! interval of a share.

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF};

/// The normal quantile of a two-sided 95% interval, as the specification fixes it.
pub const Z95: f64 = 1.96;

/// The exact (Garwood) 95% interval of a Poisson count `k`: lower = χ²(0.025; 2k)/2 (0 when
/// k = 0), upper = χ²(0.975; 2k + 2)/2.
pub fn poisson_95(k: u64) -> (f64, f64) {
    let quantile = |df: f64, p: f64| chi_squared_quantile(df, p) / 2.0;
    let k = k as f64;
    let lower = if k == 0.0 { 0.0 } else { quantile(2.0 * k, 0.025) };
    (lower, quantile(2.0 * k + 2.0, 0.975))
}

/// The p-quantile of the chi-squared distribution with `df` degrees of freedom, solved on
/// `statrs`'s distribution function and log-density: Newton steps from the mean, kept inside a
/// bracket of the root (bisecting where a step would leave it). `statrs`'s own inverse is not
/// used: it refines a coarse bisection with a density that overflows for a few hundred degrees
/// of freedom, so it is off by several tenths for counts in the hundreds, and for very many
/// degrees of freedom its answer can be NaN or absurd.
fn chi_squared_quantile(df: f64, p: f64) -> f64 {
    let d = ChiSquared::new(df).expect("positive degrees of freedom");
    let f = |x: f64| d.cdf(x) - p;
    let mut x = df;
    // cdf(0) = 0 < p, so 0 is below the root; double until above it.
    let (mut lo, mut hi) = (0.0, x);
    while f(hi) < 0.0 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let fx = f(x);
        if fx < 0.0 { lo = x } else { hi = x }
        let newton = x - fx / d.ln_pdf(x).exp();
        let next = if newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if (next - x).abs() <= 1e-12 * x.max(1.0) || hi - lo <= 1e-12 * hi {
            return next;
        }
        x = next;
    }
    x
}

/// The Wilson score interval of `k` successes in `n` trials at normal quantile `z`, as
/// fractions; `None` when `n` is 0.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At the edges the bounds are exactly 0 and 1; rounding must not put them outside.
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Published exact Poisson 95% limits (e.g. Ulm 1990; the tables of Garwood 1936).
    #[test]
    fn poisson_limits_match_published_values() {
        let cases = [(0, 0.0, 3.6889), (1, 0.0253, 5.5716), (5, 1.6235, 11.6683), (100, 81.3640, 121.6268)];
        for (k, lo, hi) in cases {
            let (l, h) = poisson_95(k);
            assert!(close(l, lo, 5e-4) && close(h, hi, 5e-4), "k = {k}: got ({l:.4}, {h:.4}), published ({lo}, {hi})");
        }
        // Where statrs's own inverse is off by several tenths: the quantiles from the
        // closed-form distribution function of even degrees of freedom, bisected.
        for (k, lo, hi) in [(139, 116.8536, 164.1228), (20_000, 19_723.7676, 20_279.1336), (147_724, 146_971.6378, 148_479.2591)] {
            let (l, h) = poisson_95(k);
            assert!(close(l, lo, 1e-3) && close(h, hi, 1e-3), "k = {k}: ({l:.4}, {h:.4})");
        }
    }

    /// Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I,
    /// method 3 (Wilson score interval without continuity correction).
    #[test]
    fn wilson_limits_match_newcombe_1998() {
        let cases = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)];
        for (k, n, lo, hi) in cases {
            let (l, h) = wilson(k, n, Z95).unwrap();
            assert!(close(l, lo, 1e-4) && close(h, hi, 1e-4), "{k}/{n}: got ({l:.4}, {h:.4}), published ({lo}, {hi})");
        }
        assert_eq!(wilson(0, 0, Z95), None);
        assert_eq!(wilson(20, 20, Z95).map(|x| x.1), Some(1.0));
    }

    proptest! {
        #[test]
        fn a_poisson_interval_holds_its_count_and_widens_relatively_as_it_falls(k in 0u64..200_000) {
            let (l, h) = poisson_95(k);
            prop_assert!(l <= k as f64 && k as f64 <= h, "k = {k}: ({l}, {h})");
            // Relative to the count, the interval of a smaller count is wider (against a count
            // 1% larger, a difference well above the distribution function's precision).
            if k >= 1 {
                let k2 = k + (k / 100).max(1);
                let (l2, h2) = poisson_95(k2);
                prop_assert!((h - l) / k as f64 > (h2 - l2) / k2 as f64, "k = {k}: ({l}, {h}); k = {k2}: ({l2}, {h2})");
                prop_assert!(l2 > l && h2 > h);
            }
        }

        #[test]
        fn a_wilson_interval_holds_its_share_and_widens_as_the_base_falls(k in 0u64..1_000, extra in 0u64..1_000) {
            let n = k + extra + 1;
            let (l, h) = wilson(k, n, Z95).unwrap();
            let p = k as f64 / n as f64;
            prop_assert!((0.0..=1.0).contains(&l) && (0.0..=1.0).contains(&h));
            prop_assert!(l <= p + 1e-12 && p <= h + 1e-12, "{k}/{n}: ({l}, {h})");
            // The same share from ten times the records has a narrower interval.
            let (l10, h10) = wilson(10 * k, 10 * n, Z95).unwrap();
            prop_assert!(h10 - l10 < h - l);
        }
    }
}
