//! Hot issues (热点问题): complaints about the same matter, across units, within a window. Their text
//! is cut into words with jieba; two complaints of the same large business category are alike when
//! the words they share (Jaccard) plus a bonus for the same category code and the same cause reach a
//! threshold; complaints joined by such pairs form a suggested group.

use jieba_rs::Jieba;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

/// How alike two complaints must be to fall into one group.
pub const THRESHOLD: f64 = 0.5;
/// Added when both have the same business category code.
const SAME_CATEGORY: f64 = 0.15;
/// Added when both have the same (non-empty) cause.
const SAME_CAUSE: f64 = 0.1;
/// Fewest complaints a suggested group holds by default.
pub const DEFAULT_MIN_SIZE: usize = 3;

/// Words that say nothing about the matter: every complaint has them.
const STOP_WORDS: &[&str] = &[
    "客户",
    "客户称",
    "本人",
    "银行",
    "本行",
    "网点",
    "工作人员",
    "投诉",
    "要求",
    "表示",
    "认为",
    "反映",
    "称",
    "进行",
    "办理",
    "业务",
    "问题",
    "情况",
    "没有",
    "一个",
    "现在",
    "已经",
    "但是",
    "因为",
    "所以",
    "并且",
    "以及",
    "我们",
    "他们",
    "自己",
    "目前",
    "相关",
    "处理",
    "告知",
    "时候",
    "这个",
    "那个",
    "什么",
    "可以",
    "需要",
];

fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(Jieba::new)
}

/// The words of a text that can tell one matter from another: two or more characters, with a letter
/// or a Chinese character, not a stop word; Latin letters in lower case.
pub fn terms(text: &str) -> BTreeSet<String> {
    jieba()
        .cut(text, true)
        .into_iter()
        .map(|t| t.word.trim().to_lowercase())
        .filter(|w| w.chars().count() >= 2)
        .filter(|w| w.chars().any(|c| c.is_alphabetic()))
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// A complaint as the grouping sees it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub unit_id: i64,
    pub category: Option<String>,
    pub cause: Option<String>,
    pub terms: BTreeSet<String>,
}

impl Candidate {
    fn large_class(&self) -> &str {
        self.category.as_deref().and_then(|c| c.get(..2)).unwrap_or("")
    }
}

/// How alike two complaints are: shared words over all their words, plus the bonuses.
pub fn similarity(a: &Candidate, b: &Candidate) -> f64 {
    let shared = a.terms.intersection(&b.terms).count();
    let all = a.terms.len() + b.terms.len() - shared;
    let mut s = if all == 0 { 0.0 } else { shared as f64 / all as f64 };
    if a.category.is_some() && a.category == b.category {
        s += SAME_CATEGORY;
    }
    if a.cause.as_deref().is_some_and(|c| !c.is_empty()) && a.cause == b.cause {
        s += SAME_CAUSE;
    }
    s
}

/// A suggested hot issue: indexes into the candidates, largest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indexes of the candidates, in their order.
    pub members: Vec<usize>,
    /// The words most of its complaints share, most shared first (at most five).
    pub keywords: Vec<String>,
    /// Distinct units among its complaints.
    pub units: usize,
}

/// The words at least half of a group's complaints share, most shared first (longer first among
/// equals), at most five.
pub fn keywords<'a>(term_sets: impl Iterator<Item = &'a BTreeSet<String>>) -> Vec<String> {
    let mut freq: HashMap<&str, usize> = HashMap::new();
    let mut n = 0;
    for terms in term_sets {
        n += 1;
        for t in terms {
            *freq.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut words: Vec<(&str, usize)> = freq.into_iter().filter(|(_, f)| f * 2 >= n).collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.chars().count().cmp(&a.0.chars().count())).then(a.0.cmp(b.0)));
    words.into_iter().take(5).map(|(w, _)| w.to_string()).collect()
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups of at least `min_size` alike complaints, those spanning more units first, then larger.
/// Words found in more than a tenth of the candidates (and at least 50) are too common to pair by.
pub fn suggest(cands: &[Candidate], min_size: usize) -> Vec<Group> {
    let n = cands.len();
    let mut index: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, c) in cands.iter().enumerate() {
        for t in &c.terms {
            index.entry((c.large_class(), t.as_str())).or_default().push(i);
        }
    }
    let too_common = (n / 10).max(50);
    let mut parent: Vec<usize> = (0..n).collect();
    let mut tried = std::collections::HashSet::new();
    for docs in index.values().filter(|d| d.len() <= too_common) {
        for (x, &i) in docs.iter().enumerate() {
            for &j in &docs[x + 1..] {
                if find(&mut parent, i) == find(&mut parent, j) || !tried.insert((i, j)) {
                    continue;
                }
                if similarity(&cands[i], &cands[j]) >= THRESHOLD {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Group> = groups
        .into_values()
        .filter(|m| m.len() >= min_size.max(2))
        .map(|members| {
            let keywords = keywords(members.iter().map(|&i| &cands[i].terms));
            let units: BTreeSet<i64> = members.iter().map(|&i| cands[i].unit_id).collect();
            Group { keywords, units: units.len(), members }
        })
        .collect();
    out.sort_by(|a, b| {
        b.units.cmp(&a.units).then(b.members.len().cmp(&a.members.len())).then(a.members.cmp(&b.members))
    });
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cand(id: i64, unit: i64, category: &str, cause: &str, text: &str) -> Candidate {
        Candidate {
            id,
            unit_id: unit,
            category: Some(category.into()),
            cause: (!cause.is_empty()).then(|| cause.into()),
            terms: terms(text),
        }
    }

    #[test]
    fn chinese_text_is_cut_into_words_without_the_common_ones() {
        let t = terms("客户称信用卡年费被重复收取，要求退还年费 300 元");
        assert!(t.contains("信用卡") && t.contains("年费") && t.contains("退还"), "{t:?}");
        assert!(!t.contains("客户") && !t.contains("要求") && !t.contains("300"), "{t:?}");
        assert!(terms("ATM 吞卡").contains("atm"));
    }

    #[test]
    fn complaints_about_one_matter_group_across_units_and_others_do_not() {
        let cands = vec![
            cand(1, 10, "0302", "12", "信用卡年费争议：办卡时承诺免年费，现被收取年费"),
            cand(2, 11, "0302", "12", "信用卡年费被收取，办卡时说免年费"),
            cand(3, 12, "0302", "", "办卡承诺免年费却收取信用卡年费"),
            cand(4, 10, "01", "01", "柜台排队时间过长，只开两个窗口"),
            cand(5, 13, "01", "01", "排队时间过长，窗口太少"),
            // the same words under another large category stay apart
            cand(6, 14, "09", "06", "信用卡年费争议：办卡时承诺免年费，现被收取年费"),
            cand(7, 10, "04", "02", "手机银行转账失败资金未到账"),
        ];
        let groups = suggest(&cands, 3);
        assert_eq!(groups.len(), 1, "{groups:?}");
        let ids: Vec<i64> = groups[0].members.iter().map(|&i| cands[i].id).collect();
        assert_eq!(ids, vec![1, 2, 3]);
        assert_eq!(groups[0].units, 3);
        assert!(groups[0].keywords.contains(&"年费".to_string()), "{:?}", groups[0].keywords);
        // with a smaller minimum, the queue pair is a group too, after the larger one
        let groups = suggest(&cands, 2);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[1].members.iter().map(|&i| cands[i].id).collect::<Vec<_>>(), vec![4, 5]);
    }

    #[test]
    fn similarity_counts_shared_words_and_the_same_category_and_cause() {
        let a = cand(1, 1, "0302", "12", "信用卡年费");
        let b = cand(2, 2, "0302", "12", "信用卡年费");
        assert!((similarity(&a, &b) - 1.25).abs() < 1e-9);
        let c = cand(3, 3, "0301", "", "借记卡盗刷");
        assert!(similarity(&a, &c) < 1e-9);
    }
}
