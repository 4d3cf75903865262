//! The monthly bulletin (服务质量月度通报): outlets and employees ranked by a published formula —
//! weights of counter satisfaction, the overtime-wait ratio, the inspection score and liable
//! complaints per 10,000 customers — with a minimum volume for a fair rank. Each part is a score
//! from 0 to 100; a part without data (no inspection that month) is left out and the others'
//! weights carry the score. Equal scores share a rank (1, 2, 2, 4); the best and the worst include
//! everyone tied at the boundary.

use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulletinRules {
    /// Weight of counter satisfaction (the satisfaction rate).
    pub weight_satisfaction: i64,
    /// Weight of waiting (100 less the overtime-wait ratio).
    pub weight_waiting: i64,
    /// Weight of the month's average inspection score.
    pub weight_inspection: i64,
    /// Weight of liable complaints (100 less `complaint_penalty` per liable complaint per 10,000
    /// customers, not below 0).
    pub weight_complaints: i64,
    pub complaint_penalty: i64,
    /// Fewer ratings than this in the month: listed, not ranked.
    pub min_ratings_outlet: i64,
    pub min_ratings_employee: i64,
    /// How many are named best and worst.
    pub named: i64,
    /// Points the bank's rules give the best employees (a reward) and take from the worst (a
    /// penalty) when the bulletin is published; 0 records nothing.
    pub best_employee_points: i64,
    pub worst_employee_points: i64,
}

impl Default for BulletinRules {
    fn default() -> Self {
        Self {
            weight_satisfaction: 40,
            weight_waiting: 20,
            weight_inspection: 25,
            weight_complaints: 15,
            complaint_penalty: 10,
            min_ratings_outlet: 100,
            min_ratings_employee: 30,
            named: 3,
            best_employee_points: 2,
            worst_employee_points: 1,
        }
    }
}

impl BulletinRules {
    /// Every value out of its bounds, each naming its field.
    pub fn violations(&self) -> Vec<FieldError> {
        let mut f = Vec::new();
        let mut within = |field: &str, v: i64, lo: i64, hi: i64| {
            if !(lo..=hi).contains(&v) {
                f.push(FieldError::because(field, "field.between").with("min", lo).with("max", hi).with("value", v));
            }
        };
        within("weight_satisfaction", self.weight_satisfaction, 0, 100);
        within("weight_waiting", self.weight_waiting, 0, 100);
        within("weight_inspection", self.weight_inspection, 0, 100);
        within("weight_complaints", self.weight_complaints, 0, 100);
        within("complaint_penalty", self.complaint_penalty, 0, 100);
        within("min_ratings_outlet", self.min_ratings_outlet, 0, 1_000_000);
        within("min_ratings_employee", self.min_ratings_employee, 0, 1_000_000);
        within("named", self.named, 1, 20);
        within("best_employee_points", self.best_employee_points, 0, 100);
        within("worst_employee_points", self.worst_employee_points, 0, 100);
        let sum = self.weight_satisfaction + self.weight_waiting + self.weight_inspection + self.weight_complaints;
        if f.is_empty() && sum != 100 {
            f.push(FieldError::because("weight_satisfaction", "field.weights_sum").with("sum", sum));
        }
        f
    }
}

/// What one outlet or employee brought to the month. Rates are in basis points (hundredths of a
/// per cent); `None` where there is nothing to divide by.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Candidate {
    /// Unit code or username.
    pub key: String,
    pub name: String,
    pub ratings: i64,
    pub satisfaction_bp: Option<i64>,
    pub overtime_bp: Option<i64>,
    pub inspection_bp: Option<i64>,
    /// Liable complaints per 10,000 customers, times 100.
    pub liable_per_10k_x100: Option<i64>,
}

/// A candidate with its score (basis points, 0–10,000) and rank.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Ranked {
    pub rank: i64,
    pub score_bp: i64,
    pub candidate: Candidate,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Ranking {
    /// Best first.
    pub ranked: Vec<Ranked>,
    /// Under the minimum volume, by key.
    pub unranked: Vec<Candidate>,
}

impl Ranking {
    /// The best `n`, with everyone tied with the last of them.
    pub fn best(&self, n: i64) -> Vec<&Ranked> {
        self.ranked.iter().take_while(|r| r.rank <= n).collect()
    }

    /// The worst `n`, worst first, with everyone tied with the last of them; none who is also
    /// among the best.
    pub fn worst(&self, n: i64) -> Vec<&Ranked> {
        let len = self.ranked.len() as i64;
        let best = self.best(n).len() as i64;
        let Some(cut) = self.ranked.iter().rev().nth((n - 1).max(0) as usize).map(|r| r.score_bp) else {
            return self.ranked.iter().rev().take((len - best).max(0) as usize).collect();
        };
        self.ranked.iter().rev().take_while(|r| r.score_bp <= cut).take((len - best).max(0) as usize).collect()
    }
}

/// The score of `c` by `rules`: each present part times its weight, over the weights present.
pub fn score(rules: &BulletinRules, c: &Candidate, employee: bool) -> i64 {
    let complaints = c.liable_per_10k_x100.map(|x| (10_000 - rules.complaint_penalty * x).clamp(0, 10_000));
    let parts = [
        (rules.weight_satisfaction, c.satisfaction_bp),
        (rules.weight_waiting, c.overtime_bp.map(|o| 10_000 - o)),
        (rules.weight_inspection, if employee { None } else { c.inspection_bp }),
        (rules.weight_complaints, if employee { None } else { complaints }),
    ];
    let (sum, weights) =
        parts.iter().filter_map(|(w, v)| v.map(|v| (w * v, *w))).fold((0i64, 0i64), |(s, ws), (x, w)| (s + x, ws + w));
    if weights == 0 { 0 } else { (sum * 2 + weights) / (2 * weights) }
}

/// Ranks `all`: those with fewer ratings than the minimum are set aside; the rest by score, best
/// first, ties sharing a rank and ordered by key.
pub fn rank(rules: &BulletinRules, all: Vec<Candidate>, employee: bool) -> Ranking {
    let min = if employee { rules.min_ratings_employee } else { rules.min_ratings_outlet };
    let (fair, mut unranked): (Vec<Candidate>, Vec<Candidate>) = all.into_iter().partition(|c| c.ratings >= min);
    unranked.sort_by(|a, b| a.key.cmp(&b.key));
    let mut scored: Vec<(i64, Candidate)> = fair.into_iter().map(|c| (score(rules, &c, employee), c)).collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
    let mut ranked: Vec<Ranked> = Vec::with_capacity(scored.len());
    for (i, (s, c)) in scored.into_iter().enumerate() {
        let rank = match ranked.last() {
            Some(prev) if prev.score_bp == s => prev.rank,
            _ => i as i64 + 1,
        };
        ranked.push(Ranked { rank, score_bp: s, candidate: c });
    }
    Ranking { ranked, unranked }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn c(key: &str, ratings: i64, sat: i64, ot: i64, insp: Option<i64>, liable: Option<i64>) -> Candidate {
        Candidate {
            key: key.into(),
            name: key.into(),
            ratings,
            satisfaction_bp: Some(sat),
            overtime_bp: Some(ot),
            inspection_bp: insp,
            liable_per_10k_x100: liable,
        }
    }

    #[test]
    fn the_score_weighs_the_parts_present() {
        let r = BulletinRules::default();
        // 40×95% + 20×(100−10)% + 25×80% + 15×(100−10×0.50)% = 38 + 18 + 20 + 14.25 = 90.25
        assert_eq!(score(&r, &c("A", 200, 9_500, 1_000, Some(8_000), Some(50)), false), 9_025);
        // no inspection: (38 + 18 + 14.25) / 0.75 = 93.67
        assert_eq!(score(&r, &c("B", 200, 9_500, 1_000, None, Some(50)), false), 9_367);
        // an employee: satisfaction and waiting only, (38 + 18) / 0.6 = 93.33
        assert_eq!(score(&r, &c("t", 40, 9_500, 1_000, Some(1), Some(1)), true), 9_333);
        // 10 liable per 10,000 at a penalty of 10: that part is 0, not below
        assert_eq!(
            score(
                &r,
                &Candidate { satisfaction_bp: None, overtime_bp: None, ..c("D", 1, 0, 0, None, Some(1_500)) },
                false
            ),
            0
        );
    }

    #[test]
    fn ties_share_a_rank_the_small_are_set_aside_and_best_and_worst_take_the_tied() {
        let r = BulletinRules { named: 2, ..BulletinRules::default() };
        let all = vec![
            c("O1", 500, 9_900, 0, Some(10_000), Some(0)),
            c("O2", 500, 9_000, 500, Some(9_000), Some(0)),
            c("O3", 500, 9_000, 500, Some(9_000), Some(0)),
            c("O4", 500, 8_000, 2_000, Some(7_000), Some(100)),
            c("O5", 500, 7_000, 3_000, Some(6_000), Some(200)),
            c("O6", 99, 10_000, 0, Some(10_000), Some(0)),
        ];
        let k = rank(&r, all, false);
        let ranks: Vec<(&str, i64)> = k.ranked.iter().map(|x| (x.candidate.key.as_str(), x.rank)).collect();
        assert_eq!(ranks, [("O1", 1), ("O2", 2), ("O3", 2), ("O4", 4), ("O5", 5)]);
        assert_eq!(k.unranked.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["O6"]);
        assert_eq!(k.best(2).iter().map(|x| x.candidate.key.as_str()).collect::<Vec<_>>(), ["O1", "O2", "O3"]);
        assert_eq!(k.worst(2).iter().map(|x| x.candidate.key.as_str()).collect::<Vec<_>>(), ["O5", "O4"]);
        // three ranked, two named: the worst never repeats the best
        let few = rank(
            &r,
            vec![
                c("A", 500, 9_000, 0, None, None),
                c("B", 500, 8_000, 0, None, None),
                c("C", 500, 7_000, 0, None, None),
            ],
            false,
        );
        assert_eq!(few.best(2).len(), 2);
        assert_eq!(few.worst(2).iter().map(|x| x.candidate.key.as_str()).collect::<Vec<_>>(), ["C"]);
    }

    #[test]
    fn rules_must_weigh_one_hundred_in_all() {
        assert!(BulletinRules::default().violations().is_empty());
        let f = BulletinRules { weight_waiting: 30, named: 0, ..BulletinRules::default() }.violations();
        assert_eq!(f.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["named"]);
        let f = BulletinRules { weight_waiting: 30, ..BulletinRules::default() }.violations();
        assert_eq!(f[0].reason, "field.weights_sum");
    }
}
