//! Consumer-protection reviews (消保审查, NFRA 2022 No. 9 art. 9): before a product, service,
//! contract, fee or marketing material is launched or materially changed, a department submits it;
//! a first reviewer gives opinions, each binding (law and compliance) or advisory; a re-checker —
//! another reviewer — confirms them or adds more; the submitter answers each opinion (a binding one
//! can only be adopted, an advisory one may be declined with a reason); it concludes when the final
//! launched material is uploaded. Each step has a clock from the bank's periods on the working-day
//! calendar. Each month the centre draws a share of each unit's concluded reviews at random
//! ([`draw`]: reproducible from its recorded seed) and checks them.

use crate::FieldError;
use crate::calendar::Calendar;
use crate::choices;
use crate::deadline::period::{OpeningHours, Period, Unit};
use crate::error::keep;
use crate::role::Role;
use crate::text::{bounded, limits};
use crate::time::Instant;

/// Most opinions one step may give.
pub const MAX_OPINIONS: usize = 50;

choices! {
    /// What is reviewed.
    pub enum ReviewKind {
        /// 产品
        Product = "product",
        /// 服务
        Service = "service",
        /// 合同（格式条款）
        Contract = "contract",
        /// 收费
        Fee = "fee",
        /// 营销宣传
        Marketing = "marketing",
    }
}

choices! {
    /// The stage of the product's life the material is reviewed at.
    pub enum ReviewStage {
        /// 产品设计
        Design = "design",
        /// 定价
        Pricing = "pricing",
        /// 协议制定
        Contract = "contract",
        /// 营销宣传
        Marketing = "marketing",
    }
}

choices! {
    /// Where a review stands; each state names the step it waits for.
    pub enum ReviewState {
        /// Waiting for the first reviewer.
        Submitted = "submitted",
        /// Waiting for the re-checker.
        Reviewed = "reviewed",
        /// Waiting for the submitter's answers.
        Rechecked = "rechecked",
        /// Answered: waiting for the final launched material.
        Responded = "responded",
        /// Concluded with the final material.
        Concluded = "concluded",
    }
}

choices! {
    /// A review's steps, each with its clock.
    pub enum ReviewStep {
        /// 初审
        Review = "review",
        /// 复核
        Recheck = "recheck",
        /// 答复意见
        Respond = "respond",
        /// 上传最终材料、办结
        Conclude = "conclude",
    }
}

/// The bank's rules for reviews: who reviews (a role or a list of people), each step's period and
/// the share of concluded reviews the monthly sampling draws.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewRules {
    /// Roles whose holders review and re-check (default: the consumer-protection centre).
    pub reviewer_roles: Vec<Role>,
    /// Usernames of further reviewers (law and compliance staff, ...).
    pub reviewers: Vec<String>,
    pub review_period: Period,
    pub recheck_period: Period,
    pub respond_period: Period,
    /// From the answers to the final material.
    pub conclude_period: Period,
    /// Percent of each unit's concluded reviews drawn each month (at least one when any), 1–100.
    pub sample_percent: u32,
}

impl Default for ReviewRules {
    fn default() -> Self {
        Self {
            reviewer_roles: vec![Role::CpCentre],
            reviewers: Vec::new(),
            review_period: Period::new(5, Unit::WorkingDays),
            recheck_period: Period::new(3, Unit::WorkingDays),
            respond_period: Period::new(5, Unit::WorkingDays),
            conclude_period: Period::new(20, Unit::WorkingDays),
            sample_percent: 10,
        }
    }
}

impl ReviewRules {
    pub fn check(&self) -> Vec<FieldError> {
        let mut f = Vec::new();
        if self.reviewer_roles.is_empty() && self.reviewers.is_empty() {
            f.push(FieldError::because("reviews.reviewer_roles", "field.reviewers_needed"));
        }
        if self.reviewers.len() > 100 {
            f.push(FieldError::because("reviews.reviewers", "field.too_many").with("max", 100));
        }
        for (n, u) in self.reviewers.iter().enumerate() {
            if let Err(e) = bounded(&format!("reviews.reviewers[{n}]"), u, 1, limits::NAME) {
                f.push(e);
            }
        }
        for (name, p) in [
            ("reviews.review_period", self.review_period),
            ("reviews.recheck_period", self.recheck_period),
            ("reviews.respond_period", self.respond_period),
            ("reviews.conclude_period", self.conclude_period),
        ] {
            if let Err(e) = p.validate(name) {
                f.push(e);
            }
        }
        if !(1..=100).contains(&self.sample_percent) {
            f.push(
                FieldError::because("reviews.sample_percent", "field.between")
                    .with("min", 1)
                    .with("max", 100)
                    .with("value", self.sample_percent),
            );
        }
        f
    }

    /// May this person review or re-check?
    pub fn is_reviewer(&self, username: &str, role: Role) -> bool {
        self.reviewer_roles.contains(&role) || self.reviewers.iter().any(|u| u.trim() == username)
    }

    fn period(&self, step: ReviewStep) -> Period {
        match step {
            ReviewStep::Review => self.review_period,
            ReviewStep::Recheck => self.recheck_period,
            ReviewStep::Respond => self.respond_period,
            ReviewStep::Conclude => self.conclude_period,
        }
    }
}

/// A review as submitted (the unit is resolved by the caller, in scope).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// The submitting unit's org code.
    pub org_unit: String,
    pub kind: String,
    pub stage: String,
    /// What is reviewed, e.g. the product's name.
    pub title: String,
    /// What it is and what changes.
    pub description: String,
}

/// An opinion as given.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionIn {
    pub text: String,
    /// Law and compliance: must be adopted.
    #[serde(default)]
    pub binding: bool,
}

/// A reviewer's step: opinions (none when there is nothing to object to; a re-checker's none
/// confirms the first reviewer's).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionsIn {
    #[serde(default)]
    pub opinions: Vec<OpinionIn>,
}

/// The submitter's answer to one opinion.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    /// The opinion's id.
    pub opinion: u32,
    pub adopted: bool,
    /// Why an advisory opinion is declined (required then).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersIn {
    /// One answer for every opinion.
    pub answers: Vec<AnswerIn>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub adopted: bool,
    pub reason: Option<String>,
    pub by: String,
    #[schema(value_type = String)]
    pub at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Opinion {
    pub id: u32,
    /// `review` or `recheck`: who gave it.
    pub step: ReviewStep,
    pub text: String,
    pub binding: bool,
    pub by: String,
    #[schema(value_type = String)]
    pub at: Instant,
    pub answer: Option<Answer>,
}

/// A step's clock: started when the step became due, done when it was taken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StepClock {
    pub step: ReviewStep,
    #[schema(value_type = String)]
    pub started_at: Instant,
    #[schema(value_type = String)]
    pub due_at: Instant,
    #[schema(value_type = Option<String>)]
    pub done_at: Option<Instant>,
    pub by: Option<String>,
}

impl StepClock {
    pub fn on_time(&self) -> bool {
        self.done_at.is_some_and(|d| d <= self.due_at)
    }

    pub fn overdue(&self, now: Instant) -> bool {
        self.done_at.map_or(now > self.due_at, |d| d > self.due_at)
    }
}

/// The centre's check of a review the monthly sampling drew.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SampleCheck {
    /// Found wanting: the finding became a rectification.
    pub wanting: bool,
    pub finding: Option<String>,
    pub rectification: Option<i64>,
    pub by: String,
    #[schema(value_type = String)]
    pub at: Instant,
}

/// A review as kept: its fields, opinions with their answers, the clocks, the final material (a file
/// id of the review) and, once drawn, the sample month and the centre's check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Review {
    pub kind: ReviewKind,
    pub stage: ReviewStage,
    pub title: String,
    pub description: String,
    pub submitted_by: String,
    pub submitted_at: Instant,
    pub opinions: Vec<Opinion>,
    pub clocks: Vec<StepClock>,
    pub final_material: Option<i64>,
    pub concluded_at: Option<Instant>,
    /// YYYY-MM of the draw that sampled it.
    #[serde(default)]
    pub sampled_in: Option<String>,
    #[serde(default)]
    pub check: Option<SampleCheck>,
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRefusal {
    /// Not this step now (409): the state the review is in.
    NotNow(ReviewState),
    /// The caller is not one of the bank's reviewers (403).
    NotReviewer,
    /// The re-check is by another reviewer than the first, and neither reviews their own (403).
    FourEyes,
    /// The fields of the step (422).
    Invalid(Vec<FieldError>),
}

/// What the reviewer, re-checker and submitter are on the calendar: due times of the steps.
pub struct Clocks<'a> {
    pub rules: &'a ReviewRules,
    pub calendar: &'a Calendar,
    pub hours: &'a OpeningHours,
}

impl Clocks<'_> {
    fn start(&self, step: ReviewStep, at: Instant) -> StepClock {
        let due_at = self.rules.period(step).end(self.calendar, self.hours, at);
        StepClock { step, started_at: at, due_at, done_at: None, by: None }
    }
}

/// The fields of a review as submitted or corrected: kind, stage, title, description.
pub fn fields(i: &ReviewIn) -> Result<(ReviewKind, ReviewStage, String, String), Vec<FieldError>> {
    let mut f = Vec::new();
    let kind = keep(&mut f, ReviewKind::parse("kind", &i.kind));
    let stage = keep(&mut f, ReviewStage::parse("stage", &i.stage));
    let title = keep(&mut f, bounded("title", &i.title, 1, limits::SUMMARY));
    let description = keep(&mut f, bounded("description", &i.description, 1, limits::TEXT));
    match (kind, stage, title, description) {
        (Some(k), Some(s), Some(t), Some(d)) if f.is_empty() => Ok((k, s, t, d)),
        _ => Err(f),
    }
}

impl Review {
    /// A new review by `by`, its first reviewer's clock started.
    pub fn submit(i: &ReviewIn, by: &str, now: Instant, clocks: &Clocks<'_>) -> Result<Self, Vec<FieldError>> {
        let (kind, stage, title, description) = fields(i)?;
        Ok(Self {
            kind,
            stage,
            title,
            description,
            submitted_by: by.to_string(),
            submitted_at: now,
            opinions: Vec::new(),
            clocks: vec![clocks.start(ReviewStep::Review, now)],
            final_material: None,
            concluded_at: None,
            sampled_in: None,
            check: None,
        })
    }

    pub fn state(&self) -> ReviewState {
        if self.concluded_at.is_some() {
            return ReviewState::Concluded;
        }
        match self.clocks.last().map(|c| c.step) {
            None | Some(ReviewStep::Review) => ReviewState::Submitted,
            Some(ReviewStep::Recheck) => ReviewState::Reviewed,
            Some(ReviewStep::Respond) => ReviewState::Rechecked,
            Some(ReviewStep::Conclude) => ReviewState::Responded,
        }
    }

    /// The step it waits for, if any.
    pub fn waiting_for(&self) -> Option<ReviewStep> {
        self.clocks.last().filter(|c| c.done_at.is_none()).map(|c| c.step)
    }

    /// Who took a step.
    pub fn taken_by(&self, step: ReviewStep) -> Option<&str> {
        self.clocks.iter().find(|c| c.step == step).and_then(|c| c.by.as_deref())
    }

    /// Concluded with every step done before its clock ran out.
    pub fn on_time(&self) -> bool {
        self.concluded_at.is_some() && self.clocks.iter().all(StepClock::on_time)
    }

    /// The counters' marks of the review: concluded, on time, sampled, found wanting.
    pub fn marks(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.concluded_at.is_some() {
            m.push("concluded");
            if self.on_time() {
                m.push("on_time");
            }
        }
        if self.sampled_in.is_some() {
            m.push("sampled");
        }
        if self.check.as_ref().is_some_and(|c| c.wanting) {
            m.push("wanting");
        }
        m
    }

    fn expect(&self, step: ReviewStep) -> Result<(), StepRefusal> {
        if self.waiting_for() == Some(step) { Ok(()) } else { Err(StepRefusal::NotNow(self.state())) }
    }

    fn finish(&mut self, by: &str, now: Instant, next: Option<ReviewStep>, clocks: &Clocks<'_>) {
        if let Some(c) = self.clocks.last_mut() {
            c.done_at = Some(now);
            c.by = Some(by.to_string());
        }
        if let Some(next) = next {
            self.clocks.push(clocks.start(next, now));
        }
    }

    fn add_opinions(
        &mut self,
        step: ReviewStep,
        given: &OpinionsIn,
        by: &str,
        now: Instant,
    ) -> Result<(), StepRefusal> {
        if given.opinions.len() > MAX_OPINIONS {
            return Err(StepRefusal::Invalid(vec![
                FieldError::because("opinions", "field.too_many").with("max", MAX_OPINIONS),
            ]));
        }
        let mut f = Vec::new();
        let mut texts = Vec::new();
        for (n, o) in given.opinions.iter().enumerate() {
            if let Some(t) = keep(&mut f, bounded(&format!("opinions[{n}].text"), &o.text, 1, limits::TEXT)) {
                texts.push((t, o.binding));
            }
        }
        if !f.is_empty() {
            return Err(StepRefusal::Invalid(f));
        }
        let next = self.opinions.iter().map(|o| o.id).max().unwrap_or(0) + 1;
        for (id, (text, binding)) in (next..).zip(texts) {
            self.opinions.push(Opinion { id, step, text, binding, by: by.to_string(), at: now, answer: None });
        }
        Ok(())
    }

    /// The first reviewer's opinions: one of the bank's reviewers, not the submitter.
    pub fn review(
        &mut self,
        given: &OpinionsIn,
        by: &str,
        role: Role,
        now: Instant,
        clocks: &Clocks<'_>,
    ) -> Result<(), StepRefusal> {
        self.expect(ReviewStep::Review)?;
        if !clocks.rules.is_reviewer(by, role) {
            return Err(StepRefusal::NotReviewer);
        }
        if by == self.submitted_by {
            return Err(StepRefusal::FourEyes);
        }
        self.add_opinions(ReviewStep::Review, given, by, now)?;
        self.finish(by, now, Some(ReviewStep::Recheck), clocks);
        Ok(())
    }

    /// The re-checker confirms (no opinions) or adds: another reviewer than the first. When no
    /// opinion was given at all there is nothing to answer, and the review waits for its final
    /// material.
    pub fn recheck(
        &mut self,
        given: &OpinionsIn,
        by: &str,
        role: Role,
        now: Instant,
        clocks: &Clocks<'_>,
    ) -> Result<(), StepRefusal> {
        self.expect(ReviewStep::Recheck)?;
        if !clocks.rules.is_reviewer(by, role) {
            return Err(StepRefusal::NotReviewer);
        }
        if by == self.submitted_by || self.taken_by(ReviewStep::Review) == Some(by) {
            return Err(StepRefusal::FourEyes);
        }
        self.add_opinions(ReviewStep::Recheck, given, by, now)?;
        let next = if self.opinions.is_empty() { ReviewStep::Conclude } else { ReviewStep::Respond };
        self.finish(by, now, Some(next), clocks);
        Ok(())
    }

    /// The submitter's answers, one for every opinion: a binding opinion can only be adopted; an
    /// advisory one declined needs a reason. Every fault is told at once.
    pub fn respond(
        &mut self,
        given: &AnswersIn,
        by: &str,
        now: Instant,
        clocks: &Clocks<'_>,
    ) -> Result<(), StepRefusal> {
        self.expect(ReviewStep::Respond)?;
        let mut f = Vec::new();
        let mut answers: Vec<(usize, bool, Option<String>)> = Vec::new();
        for (n, a) in given.answers.iter().enumerate() {
            let Some(at) = self.opinions.iter().position(|o| o.id == a.opinion) else {
                f.push(
                    FieldError::because(format!("answers[{n}].opinion"), "field.unknown_opinion")
                        .with("value", a.opinion),
                );
                continue;
            };
            if answers.iter().any(|(i, _, _)| *i == at) {
                f.push(
                    FieldError::because(format!("answers[{n}].opinion"), "field.answered_twice")
                        .with("value", a.opinion),
                );
                continue;
            }
            let reason = a.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            let reason = match (self.opinions[at].binding, a.adopted, reason) {
                (true, false, _) => {
                    f.push(FieldError::because(format!("answers[{n}].adopted"), "field.binding_must_be_adopted"));
                    None
                }
                (false, false, None) => {
                    f.push(FieldError::because(format!("answers[{n}].reason"), "field.decline_reason"));
                    None
                }
                (_, _, Some(r)) => keep(&mut f, bounded(&format!("answers[{n}].reason"), r, 1, limits::REASON)),
                (_, true, None) => None,
            };
            answers.push((at, a.adopted, reason));
        }
        for o in &self.opinions {
            let at = self.opinions.iter().position(|x| x.id == o.id);
            if !answers.iter().any(|(i, _, _)| Some(*i) == at) {
                f.push(FieldError::because("answers", "field.opinion_unanswered").with("value", o.id));
            }
        }
        if !f.is_empty() {
            return Err(StepRefusal::Invalid(f));
        }
        for (at, adopted, reason) in answers {
            self.opinions[at].answer = Some(Answer { adopted, reason, by: by.to_string(), at: now });
        }
        self.finish(by, now, Some(ReviewStep::Conclude), clocks);
        Ok(())
    }

    /// Concludes with the final launched material, a file of the review (`None`: refused).
    pub fn conclude(&mut self, final_material: Option<i64>, by: &str, now: Instant) -> Result<(), StepRefusal> {
        self.expect(ReviewStep::Conclude)?;
        let Some(file) = final_material else {
            return Err(StepRefusal::Invalid(vec![FieldError::because("final_material", "field.final_material")]));
        };
        self.final_material = Some(file);
        self.concluded_at = Some(now);
        if let Some(c) = self.clocks.last_mut() {
            c.done_at = Some(now);
            c.by = Some(by.to_string());
        }
        Ok(())
    }
}

/// The next number of a SplitMix64 stream: a fixed, documented generator, so a recorded seed draws
/// the same reviews in every version of the product.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How many of a unit's `n` concluded reviews a draw of `percent` takes: the share rounded up, so
/// a unit with any concluded review has at least one drawn.
pub fn sample_size(n: usize, percent: u32) -> usize {
    (n * percent as usize).div_ceil(100).min(n)
}

/// The monthly draw: for each unit (in unit order), `sample_size` of its reviews (ids) chosen by a
/// partial Fisher–Yates shuffle of the ids in ascending order, all from one stream seeded by `seed`.
/// The same seed and candidates give the same draw.
pub fn draw(seed: u64, candidates: &[(i64, i64)], percent: u32) -> Vec<i64> {
    let mut by_unit: std::collections::BTreeMap<i64, Vec<i64>> = std::collections::BTreeMap::new();
    for (unit, id) in candidates {
        by_unit.entry(*unit).or_default().push(*id);
    }
    let mut state = seed;
    let mut out = Vec::new();
    for ids in by_unit.values_mut() {
        ids.sort_unstable();
        ids.dedup();
        let k = sample_size(ids.len(), percent);
        for i in 0..k {
            let left = (ids.len() - i) as u64;
            let j = i + (splitmix64(&mut state) % left) as usize;
            ids.swap(i, j);
        }
        let mut taken = ids[..k].to_vec();
        taken.sort_unstable();
        out.extend(taken);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn setting() -> (ReviewRules, Calendar, OpeningHours) {
        (ReviewRules::default(), Calendar::china(), OpeningHours::nine_to_five())
    }

    fn submitted(c: &Clocks<'_>) -> Review {
        let i = ReviewIn {
            org_unit: "BJ".into(),
            kind: "product".into(),
            stage: "design".into(),
            title: "稳享理财 2号".into(),
            description: "新发行的理财产品说明书与风险揭示书".into(),
        };
        Review::submit(&i, "bj.product", at("2026-12-01T10:00:00+08:00"), c).unwrap()
    }

    fn opinions(list: &[(&str, bool)]) -> OpinionsIn {
        OpinionsIn { opinions: list.iter().map(|(t, b)| OpinionIn { text: t.to_string(), binding: *b }).collect() }
    }

    #[test]
    fn a_review_goes_through_both_reviewers_answers_and_concludes_on_time() {
        let (rules, cal, hours) = setting();
        let c = Clocks { rules: &rules, calendar: &cal, hours: &hours };
        let mut r = submitted(&c);
        assert_eq!(r.state(), ReviewState::Submitted);
        // five working days after Tuesday 1 December 2026: Tuesday the 8th, 24:00
        assert_eq!(r.clocks[0].due_at, at("2026-12-09T00:00:00+08:00"));
        let t = at("2026-12-02T10:00:00+08:00");
        r.review(
            &opinions(&[("风险等级表述须与监管口径一致", true), ("建议增加示例", false)]),
            "bj.cpc",
            Role::CpCentre,
            t,
            &c,
        )
        .unwrap();
        assert_eq!(r.state(), ReviewState::Reviewed);
        r.recheck(&opinions(&[("收费条款字体应加粗", false)]), "cpc", Role::CpCentre, t, &c).unwrap();
        assert_eq!(r.state(), ReviewState::Rechecked);
        assert_eq!(r.opinions.iter().map(|o| o.id).collect::<Vec<_>>(), [1, 2, 3]);
        let answers = AnswersIn {
            answers: vec![
                AnswerIn { opinion: 1, adopted: true, reason: None },
                AnswerIn { opinion: 2, adopted: false, reason: Some("篇幅所限".into()) },
                AnswerIn { opinion: 3, adopted: true, reason: None },
            ],
        };
        r.respond(&answers, "bj.product", t, &c).unwrap();
        assert_eq!(r.state(), ReviewState::Responded);
        assert_eq!(
            r.conclude(None, "bj.product", t),
            Err(StepRefusal::Invalid(vec![FieldError::because("final_material", "field.final_material")]))
        );
        r.conclude(Some(17), "bj.product", t).unwrap();
        assert_eq!((r.state(), r.final_material), (ReviewState::Concluded, Some(17)));
        assert!(r.on_time());
        assert_eq!(r.marks(), ["concluded", "on_time"]);
        assert_eq!(
            r.review(&OpinionsIn::default(), "cpc", Role::CpCentre, t, &c),
            Err(StepRefusal::NotNow(ReviewState::Concluded))
        );
    }

    #[test]
    fn steps_out_of_turn_by_the_wrong_people_or_with_bad_answers_are_refused() {
        let (rules, cal, hours) = setting();
        let c = Clocks { rules: &rules, calendar: &cal, hours: &hours };
        let mut r = submitted(&c);
        let t = at("2026-12-02T10:00:00+08:00");
        let none = OpinionsIn::default();
        assert_eq!(r.recheck(&none, "cpc", Role::CpCentre, t, &c), Err(StepRefusal::NotNow(ReviewState::Submitted)));
        assert_eq!(
            r.respond(&AnswersIn::default(), "bj.product", t, &c),
            Err(StepRefusal::NotNow(ReviewState::Submitted))
        );
        assert_eq!(r.review(&none, "bj.vp", Role::VicePresident, t, &c), Err(StepRefusal::NotReviewer));
        let blank = opinions(&[("  ", true)]);
        let Err(StepRefusal::Invalid(f)) = r.review(&blank, "bj.cpc", Role::CpCentre, t, &c) else { panic!() };
        assert_eq!(f[0].field, "opinions[0].text");
        r.review(&opinions(&[("须写明费率", true), ("可加图示", false)]), "bj.cpc", Role::CpCentre, t, &c).unwrap();
        assert_eq!(r.recheck(&none, "bj.cpc", Role::CpCentre, t, &c), Err(StepRefusal::FourEyes));
        r.recheck(&none, "cpc", Role::CpCentre, t, &c).unwrap();
        let bad = AnswersIn {
            answers: vec![
                AnswerIn { opinion: 1, adopted: false, reason: Some("不同意".into()) },
                AnswerIn { opinion: 9, adopted: true, reason: None },
            ],
        };
        let Err(StepRefusal::Invalid(f)) = r.respond(&bad, "bj.product", t, &c) else { panic!() };
        let got: Vec<(&str, &str)> = f.iter().map(|e| (e.field.as_str(), e.reason)).collect();
        assert_eq!(
            got,
            [
                ("answers[0].adopted", "field.binding_must_be_adopted"),
                ("answers[1].opinion", "field.unknown_opinion"),
                ("answers", "field.opinion_unanswered"),
            ]
        );
        let declined_bare = AnswersIn {
            answers: vec![
                AnswerIn { opinion: 1, adopted: true, reason: None },
                AnswerIn { opinion: 2, adopted: false, reason: Some(" ".into()) },
            ],
        };
        let Err(StepRefusal::Invalid(f)) = r.respond(&declined_bare, "bj.product", t, &c) else { panic!() };
        assert_eq!((f[0].field.as_str(), f[0].reason), ("answers[1].reason", "field.decline_reason"));
        assert_eq!(r.state(), ReviewState::Rechecked);
        // a listed reviewer of another role may review
        let listed = ReviewRules { reviewers: vec!["law.li".into()], ..ReviewRules::default() };
        assert!(listed.is_reviewer("law.li", Role::OperationsSupervisor));
        assert!(!listed.is_reviewer("law.wang", Role::OperationsSupervisor));
    }

    #[test]
    fn without_opinions_there_is_nothing_to_answer_and_a_late_step_is_not_on_time() {
        let (rules, cal, hours) = setting();
        let c = Clocks { rules: &rules, calendar: &cal, hours: &hours };
        let mut r = submitted(&c);
        let late = at("2026-12-15T10:00:00+08:00");
        r.review(&OpinionsIn::default(), "bj.cpc", Role::CpCentre, late, &c).unwrap();
        r.recheck(&OpinionsIn::default(), "cpc", Role::CpCentre, late, &c).unwrap();
        assert_eq!(r.state(), ReviewState::Responded);
        r.conclude(Some(3), "bj.product", late).unwrap();
        assert!(!r.on_time());
        assert_eq!(r.marks(), ["concluded"]);
        assert!(r.clocks[0].overdue(late));
    }

    #[test]
    fn a_draw_is_reproducible_from_its_seed_and_takes_the_share_of_each_unit() {
        let candidates: Vec<(i64, i64)> = (1..=25).map(|id| (if id <= 20 { 7 } else { 9 }, id)).collect();
        let a = draw(42, &candidates, 10);
        assert_eq!(a, draw(42, &candidates, 10));
        // 10 % of 20 is 2; of 5 it rounds up to 1
        assert_eq!(a.iter().filter(|id| **id <= 20).count(), 2);
        assert_eq!(a.iter().filter(|id| **id > 20).count(), 1);
        let mut shuffled = candidates.clone();
        shuffled.reverse();
        assert_eq!(draw(42, &shuffled, 10), a, "the order candidates come in does not matter");
        let other: Vec<Vec<i64>> = (0..20).map(|s| draw(s, &candidates, 10)).collect();
        assert!(other.iter().any(|d| *d != a), "another seed draws otherwise");
        assert_eq!(draw(1, &candidates, 100).len(), 25);
        assert_eq!((sample_size(0, 10), sample_size(1, 1), sample_size(10, 25)), (0, 1, 3));
    }

    #[test]
    fn the_rules_are_checked_field_by_field() {
        let bad = ReviewRules {
            reviewer_roles: vec![],
            reviewers: vec![],
            review_period: Period::new(0, Unit::WorkingDays),
            sample_percent: 0,
            ..ReviewRules::default()
        };
        let fields: Vec<String> = bad.check().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["reviews.reviewer_roles", "reviews.review_period.length", "reviews.sample_percent"]);
        assert!(ReviewRules::default().check().is_empty());
    }
}
