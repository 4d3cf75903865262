//! Inspections of outlets (DESIGN §3): checklist templates with weighted items in groups, kept in
//! versions (an inspection names the version it was scored on, so editing a template never changes a
//! finished inspection); an inspection's scores per item, its percent score and its findings; the
//! coverage of a subtree in a period and the outlets not yet inspected.

use crate::error::FieldError;
use crate::measure::Ratio;
use crate::text::{bounded, limits};
use std::collections::{HashMap, HashSet};

/// Most items on one checklist.
pub const MAX_ITEMS: usize = 200;
/// Highest weight (points) of one item.
pub const MAX_WEIGHT: u32 = 100;
/// Longest item code and group name.
pub const MAX_ITEM_CODE: usize = 32;
pub const MAX_GROUP: usize = 40;
/// Longest item text.
pub const MAX_ITEM_TEXT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// 现场检查: at the outlet.
    OnSite,
    /// 非现场检查: by video.
    OffSite,
    /// 神秘人暗访: a mystery shopper.
    MysteryShopper,
}

impl InspectionKind {
    pub const ALL: [Self; 3] = [Self::OnSite, Self::OffSite, Self::MysteryShopper];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnSite => "on_site",
            Self::OffSite => "off_site",
            Self::MysteryShopper => "mystery_shopper",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            FieldError::because(field, "field.unknown_choice").with("value", s).with("choices", all.join(", "))
        })
    }
}

/// One item of a checklist: what is looked at and how many points it carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    /// Unique within the template ("A01").
    pub code: String,
    /// The group it is shown under ("环境与设施").
    pub group: String,
    pub text: String,
    /// Points, 1 to 100.
    pub weight: u32,
}

/// A checklist's items, checked: at least one, at most [`MAX_ITEMS`], codes unique, every field in
/// bounds. Every fault is reported, each naming its item (`items[3].weight`).
pub fn parse_items(items: &[TemplateItem]) -> Result<Vec<TemplateItem>, Vec<FieldError>> {
    let mut faults = Vec::new();
    if items.is_empty() {
        faults.push(FieldError::because("items", "field.required"));
    }
    if items.len() > MAX_ITEMS {
        faults.push(FieldError::because("items", "field.too_many").with("max", MAX_ITEMS));
        return Err(faults);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (n, i) in items.iter().enumerate() {
        let field = |f: &str| format!("items[{n}].{f}");
        let code = super::rating::code(&field("code"), &i.code).and_then(|c| {
            if c.chars().count() > MAX_ITEM_CODE {
                Err(FieldError::because(field("code"), "field.too_long").with("max", MAX_ITEM_CODE))
            } else if !seen.insert(c.clone()) {
                Err(FieldError::because(field("code"), "field.duplicate_item").with("value", &c))
            } else {
                Ok(c)
            }
        });
        let group = bounded(&field("group"), &i.group, 1, MAX_GROUP);
        let text = bounded(&field("text"), &i.text, 1, MAX_ITEM_TEXT);
        if !(1..=MAX_WEIGHT).contains(&i.weight) {
            faults.push(
                FieldError::because(field("weight"), "field.between")
                    .with("min", 1)
                    .with("max", MAX_WEIGHT)
                    .with("value", i.weight),
            );
        }
        match (code, group, text) {
            (Ok(code), Ok(group), Ok(text)) => out.push(TemplateItem { code, group, text, weight: i.weight }),
            (c, g, t) => faults.extend([c.err(), g.err(), t.err()].into_iter().flatten()),
        }
    }
    if faults.is_empty() { Ok(out) } else { Err(faults) }
}

/// What the inspector gave one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemScore {
    /// The item's code in the template.
    pub item: String,
    /// Points given, 0 to the item's weight.
    pub score: u32,
    /// What was found: required when points are taken off.
    #[serde(default)]
    pub finding: Option<String>,
    /// Whether the finding must be put right: opens a rectification.
    #[serde(default)]
    pub rectify: bool,
}

/// An inspection's result on its template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// Each item's score, in the template's order, findings trimmed (blank is none).
    pub scores: Vec<ItemScore>,
    pub earned: i64,
    pub possible: i64,
}

impl Scored {
    /// The percent score: earned of possible.
    pub fn percent(&self) -> Ratio {
        Ratio::new(self.earned, self.possible, 100)
    }

    /// The findings to be put right.
    pub fn to_rectify(&self) -> impl Iterator<Item = &ItemScore> {
        self.scores.iter().filter(|s| s.rectify)
    }
}

/// Scores an inspection on `items`: every item scored once, none unknown, each score within its
/// weight, a finding where points were taken off or a rectification asked. All faults at once.
pub fn score(items: &[TemplateItem], given: &[ItemScore]) -> Result<Scored, Vec<FieldError>> {
    let mut faults = Vec::new();
    let index: HashMap<&str, usize> = items.iter().enumerate().map(|(n, i)| (i.code.as_str(), n)).collect();
    let mut by_item: Vec<Option<ItemScore>> = vec![None; items.len()];
    for (n, g) in given.iter().enumerate() {
        let field = |f: &str| format!("scores[{n}].{f}");
        let Some(&at) = index.get(g.item.trim()) else {
            faults.push(FieldError::because(field("item"), "field.unknown_item").with("value", g.item.trim()));
            continue;
        };
        if by_item[at].is_some() {
            faults.push(FieldError::because(field("item"), "field.duplicate_item").with("value", &items[at].code));
            continue;
        }
        let weight = items[at].weight;
        if g.score > weight {
            faults.push(
                FieldError::because(field("score"), "field.between")
                    .with("min", 0)
                    .with("max", weight)
                    .with("value", g.score),
            );
        }
        let finding = match g.finding.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(f) => match bounded(&field("finding"), f, 1, limits::REASON) {
                Ok(f) => Some(f),
                Err(e) => {
                    faults.push(e);
                    None
                }
            },
        };
        if finding.is_none()
            && (g.score < weight || g.rectify)
            && g.finding.as_deref().is_none_or(|f| f.trim().is_empty())
        {
            faults.push(FieldError::because(field("finding"), "field.finding_needed"));
        }
        by_item[at] = Some(ItemScore { item: items[at].code.clone(), score: g.score, finding, rectify: g.rectify });
    }
    for (item, s) in items.iter().zip(&by_item) {
        if s.is_none() {
            faults.push(FieldError::because("scores", "field.item_unscored").with("value", &item.code));
        }
    }
    if !faults.is_empty() {
        return Err(faults);
    }
    let scores: Vec<ItemScore> = by_item.into_iter().flatten().collect();
    let earned = scores.iter().map(|s| i64::from(s.score)).sum();
    let possible = items.iter().map(|i| i64::from(i.weight)).sum();
    Ok(Scored { scores, earned, possible })
}

/// A subtree's inspections in a period: how many of its outlets were inspected, and the average of
/// their percent scores (each inspection counted once).
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub outlets: i64,
    pub inspected: i64,
    pub inspections: i64,
    /// The sum of the inspections' percent scores, in hundredths of a percent.
    pub score_sum_bp: i64,
}

impl Coverage {
    /// Of `outlets`, those in `inspected` (each outlet's inspections' scores in basis points).
    pub fn of(outlets: &[i64], inspected: &HashMap<i64, Vec<i64>>) -> Self {
        Self::counted(outlets.len() as i64, outlets.iter().filter_map(|o| inspected.get(o)))
    }

    /// Of `outlets` outlets, those inspected with these scores (one list per outlet, each of an
    /// outlet among them).
    pub fn counted<'a>(outlets: i64, inspected: impl IntoIterator<Item = &'a Vec<i64>>) -> Self {
        let mut c = Coverage { outlets, inspected: 0, inspections: 0, score_sum_bp: 0 };
        for scores in inspected.into_iter().filter(|s| !s.is_empty()) {
            c.inspected += 1;
            c.inspections += scores.len() as i64;
            c.score_sum_bp += scores.iter().sum::<i64>();
        }
        c
    }

    pub fn rate(&self) -> Ratio {
        Ratio::new(self.inspected, self.outlets, 100)
    }

    /// The average percent score, as a percentage.
    pub fn average_score(&self) -> Ratio {
        Ratio::new(self.score_sum_bp, self.inspections * 10_000, 100)
    }
}

/// An inspection's percent score in basis points (hundredths of a percent), rounded half up: what
/// is stored and averaged.
pub fn basis_points(earned: i64, possible: i64) -> i64 {
    if possible <= 0 { 0 } else { (earned * 20_000 + possible) / (2 * possible) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn item(code: &str, weight: u32) -> TemplateItem {
        TemplateItem { code: code.into(), group: "环境".into(), text: format!("检查 {code}"), weight }
    }

    fn given(item: &str, score: u32, finding: Option<&str>, rectify: bool) -> ItemScore {
        ItemScore { item: item.into(), score, finding: finding.map(Into::into), rectify }
    }

    #[test]
    fn items_are_checked_all_at_once_each_fault_naming_its_item() {
        let bad = vec![item("A01", 10), item("A01", 0), TemplateItem { text: " ".into(), ..item("B1", 5) }];
        let f = parse_items(&bad).unwrap_err();
        let fields: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["items[1].weight", "items[1].code", "items[2].text"]);
        assert_eq!(parse_items(&[]).unwrap_err()[0].field, "items");
        assert_eq!(parse_items(&[item("A01", 10)]).unwrap().len(), 1);
    }

    #[test]
    fn a_score_is_earned_of_possible_and_every_item_must_be_scored_once() {
        let items = [item("A", 10), item("B", 30), item("C", 60)];
        let s = score(
            &items,
            &[given("C", 45, Some("柜面无老花镜"), true), given("A", 10, None, false), given("B", 30, None, false)],
        )
        .unwrap();
        assert_eq!((s.earned, s.possible), (85, 100));
        assert_eq!(s.percent().display(), "85.00%");
        assert_eq!(s.scores.iter().map(|s| s.item.as_str()).collect::<Vec<_>>(), ["A", "B", "C"]);
        assert_eq!(s.to_rectify().count(), 1);
        let f =
            score(&items, &[given("A", 11, None, false), given("A", 1, Some("x"), false), given("Z", 1, None, false)])
                .unwrap_err();
        let got: Vec<(&str, &str)> = f.iter().map(|e| (e.field.as_str(), e.reason)).collect();
        assert_eq!(
            got,
            [
                ("scores[0].score", "field.between"),
                ("scores[1].item", "field.duplicate_item"),
                ("scores[2].item", "field.unknown_item"),
                ("scores", "field.item_unscored"),
                ("scores", "field.item_unscored"),
            ]
        );
        // points taken off need a finding; so does a rectification, even at full marks
        assert_eq!(
            score(&[item("A", 10)], &[given("A", 9, None, false)]).unwrap_err()[0].reason,
            "field.finding_needed"
        );
        assert!(score(&[item("A", 10)], &[given("A", 10, Some("  "), true)]).is_err());
    }

    #[test]
    fn coverage_counts_outlets_inspected_and_averages_each_inspection() {
        let inspected = HashMap::from([(1, vec![basis_points(85, 100), basis_points(2, 3)]), (3, vec![10_000])]);
        let c = Coverage::of(&[1, 2, 3, 4], &inspected);
        assert_eq!((c.outlets, c.inspected, c.inspections), (4, 2, 3));
        assert_eq!(c.rate().display(), "50.00%");
        // (8500 + 6667 + 10000) / 3 = 8389 bp
        assert_eq!(c.average_score().display(), "83.89%");
        assert_eq!(basis_points(2, 3), 6667);
        assert_eq!(Coverage::of(&[], &HashMap::new()).rate().display(), "—");
    }
}
