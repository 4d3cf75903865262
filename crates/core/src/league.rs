//! League tables: units or employees ranked by one measure, best first. A rate over complaints ranks
//! only those with enough cases behind it (its denominator at least the minimum volume); a rate per
//! 10,000 customers or transactions ranks those whose figures are known. Equal values share a rank
//! (1, 2, 2, 4), and among equals the larger volume is listed first.

use crate::error::FieldError;
use crate::measure::{Figures, RATES, Ratio};

/// The measures a league table can rank by: complaints received, then every rate (`RATES`).
pub fn league_measures() -> impl Iterator<Item = &'static str> {
    std::iter::once("received").chain(RATES)
}

/// The minimum volume when none is configured: five cases behind a rate.
pub const DEFAULT_MIN_VOLUME: i64 = 5;

/// Whether more of a measure is better.
pub fn higher_is_better(measure: &str) -> bool {
    matches!(measure, "timely_response_rate" | "on_time_resolution_rate" | "resolved_at_outlet_rate" | "satisfaction")
}

/// A measure's name, checked.
pub fn parse_measure(field: &str, s: &str) -> Result<&'static str, FieldError> {
    league_measures().find(|m| *m == s).ok_or_else(|| {
        let all: Vec<&str> = league_measures().collect();
        FieldError::because(field, "field.league_measure").with("choices", all.join(", "))
    })
}

/// One entry's place in a league.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing<T> {
    pub entry: T,
    /// The measure's value (a count, per 10,000, or per cent); none when there is nothing to divide by.
    pub value: Option<f64>,
    /// As printed.
    pub display: String,
    /// The cases behind the value: the rate's denominator, or the complaints received.
    pub volume: i64,
    /// 1 for the best; none when not ranked (too small a volume, or no figures).
    pub rank: Option<usize>,
}

/// The ranked entries (best first) and those left unranked.
#[derive(Debug, Clone, PartialEq)]
pub struct League<T> {
    pub ranked: Vec<Standing<T>>,
    pub unranked: Vec<Standing<T>>,
}

fn ratio_of(f: &Figures, measure: &str) -> Option<Ratio> {
    f.rates().into_iter().find(|(name, _)| *name == measure).map(|(_, r)| r)
}

/// Ranks `entries` by `measure` (one of `league_measures`), best first.
pub fn rank<T>(entries: Vec<(T, Figures)>, measure: &str, min_volume: i64) -> League<T> {
    let per_10k = measure.starts_with("per_10k");
    let mut ranked = Vec::new();
    let mut unranked = Vec::new();
    for (entry, f) in entries {
        let standing = match ratio_of(&f, measure) {
            Some(r) => {
                let volume = if per_10k { f.counts.received } else { r.denominator };
                let eligible = r.value().is_some() && (per_10k || r.denominator >= min_volume);
                (Standing { entry, value: r.value(), display: r.display(), volume, rank: None }, eligible)
            }
            None => {
                let n = f.counts.received;
                (Standing { entry, value: Some(n as f64), display: n.to_string(), volume: n, rank: None }, true)
            }
        };
        if standing.1 { ranked.push(standing.0) } else { unranked.push(standing.0) }
    }
    let higher = higher_is_better(measure);
    ranked.sort_by(|a, b| {
        let (x, y) = (a.value.unwrap_or(0.0), b.value.unwrap_or(0.0));
        let by_value = if higher { y.total_cmp(&x) } else { x.total_cmp(&y) };
        by_value.then(b.volume.cmp(&a.volume))
    });
    for i in 0..ranked.len() {
        let tied = i > 0 && ranked[i].value == ranked[i - 1].value;
        ranked[i].rank = Some(if tied { ranked[i - 1].rank.unwrap_or(i + 1) } else { i + 1 });
    }
    unranked.sort_by_key(|s| std::cmp::Reverse(s.volume));
    League { ranked, unranked }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::measure::{Counts, Volume};

    fn figures(received: i64, ended: i64, timely: i64, customers: Option<i64>) -> Figures {
        let c = Counts { received, response_ended: ended, response_timely: timely, ..Counts::default() };
        Figures::compute(c, Volume { customers, transactions: None })
    }

    #[test]
    fn a_rate_ranks_best_first_with_shared_ranks_and_leaves_small_volumes_out() {
        let entries = vec![
            ("A", figures(10, 10, 9, None)),  // 90%
            ("B", figures(6, 5, 5, None)),    // 100%
            ("C", figures(3, 2, 2, None)),    // 100% but only 2 responses
            ("D", figures(20, 20, 18, None)), // 90%, larger volume than A
            ("E", figures(8, 8, 4, None)),    // 50%
            ("F", figures(0, 0, 0, None)),    // nothing to divide by
        ];
        let l = rank(entries, "timely_response_rate", 5);
        let order: Vec<(&str, Option<usize>)> = l.ranked.iter().map(|s| (s.entry, s.rank)).collect();
        assert_eq!(order, vec![("B", Some(1)), ("D", Some(2)), ("A", Some(2)), ("E", Some(4))]);
        assert_eq!(l.ranked[1].display, "90.00%");
        assert_eq!(l.ranked[1].volume, 20);
        let left: Vec<&str> = l.unranked.iter().map(|s| s.entry).collect();
        assert_eq!(left, vec!["C", "F"]);
        assert!(l.unranked.iter().all(|s| s.rank.is_none()));
        // with no minimum, C is ranked with B
        let l = rank(vec![("B", figures(6, 5, 5, None)), ("C", figures(3, 2, 2, None))], "timely_response_rate", 0);
        assert_eq!(l.ranked.iter().map(|s| s.rank).collect::<Vec<_>>(), vec![Some(1), Some(1)]);
    }

    #[test]
    fn fewer_complaints_per_10k_customers_is_better_and_needs_the_customers() {
        let entries = vec![
            ("A", figures(4, 0, 0, Some(20_000))), // 2.0
            ("B", figures(0, 0, 0, Some(5_000))),  // 0.0: the best, though it has no complaints
            ("C", figures(9, 0, 0, Some(10_000))), // 9.0
            ("D", figures(1, 0, 0, None)),         // customers unknown
        ];
        let l = rank(entries, "per_10k_customers", 5);
        let order: Vec<(&str, String)> = l.ranked.iter().map(|s| (s.entry, s.display.clone())).collect();
        assert_eq!(order, vec![("B", "0.0".into()), ("A", "2.0".into()), ("C", "9.0".into())]);
        assert_eq!(l.unranked.len(), 1);
        assert!(!higher_is_better("per_10k_customers") && higher_is_better("satisfaction"));
    }

    #[test]
    fn received_ranks_fewest_first_and_measures_are_checked() {
        let l = rank(vec![("A", figures(3, 0, 0, None)), ("B", figures(1, 0, 0, None))], "received", 5);
        assert_eq!(l.ranked.iter().map(|s| s.entry).collect::<Vec<_>>(), vec!["B", "A"]);
        assert_eq!(parse_measure("measure", "satisfaction").unwrap(), "satisfaction");
        assert_eq!(parse_measure("measure", "speed").unwrap_err().field, "measure");
        assert_eq!(league_measures().count(), 11);
        assert!(league_measures().skip(1).all(|m| RATES.contains(&m)));
    }
}
