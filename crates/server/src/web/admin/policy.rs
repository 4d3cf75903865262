//! The deadline policy as a form: opening hours, each clock (its length, unit and warning points),
//! each override (its clock, channel, category and rule, or the clock off), the extensions and
//! their approvers, the review and repeat windows, the escalation chain. The form is read into the
//! `Policy` the API takes and saved by the same function; every field's error is shown beside it,
//! all at once, with the values typed kept.

use super::*;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::FieldError;
use xiaobao_core::channel::Channel;
use xiaobao_core::deadline::{ClockKind, ClockRule, Escalation, OpeningHours, Override, Period, Policy, Unit};
use xiaobao_core::role::{Permission, Role};

/// The clocks of the policy, and whether the bank may turn each off.
const CLOCKS: [(ClockKind, bool); 4] = [
    (ClockKind::Response, true),
    (ClockKind::Decision, false),
    (ClockKind::Completion, true),
    (ClockKind::Review, false),
];
/// The longest escalation chain.
const CHAIN: usize = 8;

pub async fn policy(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let notice = p.contains_key("saved").then(|| lang.t("admin.policy.saved").to_string());
    policy_page(&state, &headers, &caller, Shown { notice, ..Default::default() }, StatusCode::OK).await
}

fn warn_text(w: &[u8]) -> String {
    w.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
}

/// The form's fields for a policy: what the page shows before anything is typed.
fn policy_fields(p: &Policy) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: String, v: String| {
        f.insert(k, v);
    };
    let hours = xiaobao_core::deadline::period::OpeningHoursText::from(p.opening_hours);
    put("opening_hours.open".into(), hours.open);
    put("opening_hours.close".into(), hours.close);
    let rule = |put: &mut dyn FnMut(String, String), prefix: &str, r: &ClockRule| {
        put(format!("{prefix}.period.length"), r.period.length.to_string());
        put(format!("{prefix}.period.unit"), r.period.unit.as_str().into());
        put(format!("{prefix}.warn_at"), warn_text(&r.warn_at));
    };
    for (kind, _) in CLOCKS {
        let c = kind.as_str();
        let r = match kind {
            ClockKind::Response => p.response.as_ref(),
            ClockKind::Decision => Some(&p.decision),
            ClockKind::Completion => p.completion.as_ref(),
            ClockKind::Review => Some(&p.review),
        };
        if let Some(r) = r {
            put(format!("{c}.on"), "true".into());
            rule(&mut put, c, r);
        }
    }
    for (i, o) in p.overrides.iter().enumerate() {
        let pre = format!("overrides[{i}]");
        put(format!("{pre}.clock"), o.clock.as_str().into());
        put(format!("{pre}.channel"), o.channel.map(|c| c.as_str().to_string()).unwrap_or_default());
        put(format!("{pre}.category"), o.category.clone().unwrap_or_default());
        match &o.rule {
            Some(r) => rule(&mut put, &format!("{pre}.rule"), r),
            None => put(format!("{pre}.off"), "true".into()),
        }
    }
    put("overrides.count".into(), (p.overrides.len() + 1).to_string());
    put("extension_days.first".into(), p.extension_days[0].to_string());
    put("extension_days.second".into(), p.extension_days[1].to_string());
    for r in &p.extension_approvers {
        put(format!("extension_approvers.{}", r.as_str()), "true".into());
    }
    put("review_request_days".into(), p.review_request_days.to_string());
    put("repeat_window_days".into(), p.repeat_window_days.to_string());
    for (i, r) in p.escalation.chain.iter().enumerate() {
        put(format!("escalation.chain.{i}"), r.as_str().into());
    }
    put("escalation.step.length".into(), p.escalation.step.length.to_string());
    put("escalation.step.unit".into(), p.escalation.step.unit.as_str().into());
    if p.escalation.auto_escalate {
        put("escalation.auto_escalate".into(), "true".into());
    }
    if p.escalation.working_hours_only {
        put("escalation.working_hours_only".into(), "true".into());
    }
    f
}

/// Reads the form into a policy, keeping every error; what cannot be read is taken from `current`
/// so the rest can still be checked.
struct Reader<'a> {
    f: &'a Fields,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn text(&self, name: &str) -> String {
        self.f.get(name).map(|s| s.trim().to_string()).unwrap_or_default()
    }

    fn checked(&self, name: &str) -> bool {
        self.f.get(name).is_some_and(|v| v == "true")
    }

    fn number(&mut self, name: &str, fallback: u32) -> u32 {
        match self.text(name).parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                self.errors.push(FieldError::because(name, "field.whole_number"));
                fallback
            }
        }
    }

    fn unit(&mut self, name: &str, fallback: Unit) -> Unit {
        Unit::parse(name, &self.text(name)).unwrap_or_else(|e| {
            self.errors.push(e);
            fallback
        })
    }

    fn warnings(&mut self, name: &str) -> Vec<u8> {
        let text = self.text(name);
        let mut out = Vec::new();
        for part in text.split([',', '，', ' ', '%']).filter(|s| !s.is_empty()) {
            match part.parse::<u8>() {
                Ok(n) => out.push(n),
                Err(_) => {
                    self.errors.push(FieldError::because(name, "field.warn_at"));
                    return Vec::new();
                }
            }
        }
        out
    }

    fn rule(&mut self, prefix: &str, fallback: &ClockRule) -> ClockRule {
        let length = self.number(&format!("{prefix}.period.length"), fallback.period.length);
        let unit = self.unit(&format!("{prefix}.period.unit"), fallback.period.unit);
        ClockRule { period: Period::new(length, unit), warn_at: self.warnings(&format!("{prefix}.warn_at")) }
    }

    fn policy(&mut self, current: &Policy) -> (Policy, Vec<usize>) {
        let opening_hours = OpeningHours::parse(&self.text("opening_hours.open"), &self.text("opening_hours.close"))
            .unwrap_or_else(|e| {
                self.errors.push(e);
                current.opening_hours
            });
        let fallback = ClockRule::new(1, Unit::CalendarDays);
        let optional = |r: &mut Self, kind: ClockKind, was: Option<&ClockRule>| {
            let c = kind.as_str();
            r.checked(&format!("{c}.on")).then(|| r.rule(c, was.unwrap_or(&fallback)))
        };
        let response = optional(self, ClockKind::Response, current.response.as_ref());
        let decision = self.rule("decision", &current.decision);
        let completion = optional(self, ClockKind::Completion, current.completion.as_ref());
        let review = self.rule("review", &current.review);
        // the overrides of the rows not removed nor left blank, and the row each came from
        let rows = self.text("overrides.count").parse::<usize>().unwrap_or(0).min(64);
        let (mut overrides, mut from_row) = (Vec::new(), Vec::new());
        for i in 0..rows {
            let pre = format!("overrides[{i}]");
            let clock = self.text(&format!("{pre}.clock"));
            if clock.is_empty() || self.checked(&format!("{pre}.remove")) {
                continue;
            }
            let Some(clock) = ClockKind::from_str_opt(&clock) else {
                self.errors
                    .push(FieldError::because(format!("{pre}.clock"), "field.invalid_value").with("detail", clock));
                continue;
            };
            let channel = match self.text(&format!("{pre}.channel")).as_str() {
                "" => None,
                c => Channel::parse(&format!("{pre}.channel"), c).map_err(|e| self.errors.push(e)).ok(),
            };
            let category = Some(self.text(&format!("{pre}.category"))).filter(|c| !c.is_empty());
            let rule = (!self.checked(&format!("{pre}.off"))).then(|| self.rule(&format!("{pre}.rule"), &fallback));
            overrides.push(Override { clock, channel, category, rule });
            from_row.push(i);
        }
        let extension_days = [
            self.number("extension_days.first", current.extension_days[0]),
            self.number("extension_days.second", current.extension_days[1]),
        ];
        let extension_approvers =
            Role::ALL.into_iter().filter(|r| self.checked(&format!("extension_approvers.{}", r.as_str()))).collect();
        let review_request_days = self.number("review_request_days", current.review_request_days);
        let repeat_window_days = self.number("repeat_window_days", current.repeat_window_days);
        let mut chain = Vec::new();
        for i in 0..CHAIN {
            let name = format!("escalation.chain.{i}");
            match self.text(&name).as_str() {
                "" => {}
                r => match Role::parse("escalation.chain", r) {
                    Ok(r) => chain.push(r),
                    Err(e) => self.errors.push(e),
                },
            }
        }
        let step = Period::new(
            self.number("escalation.step.length", current.escalation.step.length),
            self.unit("escalation.step.unit", current.escalation.step.unit),
        );
        let escalation = Escalation {
            chain,
            step,
            auto_escalate: self.checked("escalation.auto_escalate"),
            working_hours_only: self.checked("escalation.working_hours_only"),
        };
        let policy = Policy {
            opening_hours,
            response,
            decision,
            completion,
            review,
            overrides,
            extension_days,
            extension_approvers,
            review_request_days,
            repeat_window_days,
            escalation,
        };
        (policy, from_row)
    }
}

/// The name of the input an error of the policy belongs beside: overrides by the form's row, a
/// warning point by its list.
fn input_of(field: &str, from_row: &[usize]) -> String {
    let mut f = field.to_string();
    if let Some(rest) = f.strip_prefix("overrides[")
        && let Some((n, tail)) = rest.split_once(']')
        && let Some(row) = n.parse::<usize>().ok().and_then(|n| from_row.get(n))
    {
        f = format!("overrides[{row}]{tail}");
    }
    if let Some(i) = f.find(".warn_at[") {
        f.truncate(i + ".warn_at".len());
    }
    f
}

/// Reads and checks the form: the policy, or every error with the input it belongs to.
fn read(f: &Fields, current: &Policy) -> Result<Policy, Vec<FieldError>> {
    let mut r = Reader { f, errors: Vec::new() };
    let (policy, from_row) = r.policy(current);
    let mut errors = r.errors;
    for e in policy.violations() {
        let mut e = e;
        e.field = input_of(&e.field, &from_row);
        // a value that could not be read is told once, by why it could not
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
    if errors.is_empty() { Ok(policy) } else { Err(errors) }
}

fn unit_select(lang: Lang, name: &str, v: &Fields) -> Markup {
    let at = v.get(name).map(String::as_str).unwrap_or("");
    html! {
        select name=(name) id=(name) aria-label=(lang.t("admin.policy.unit")) {
            @for u in Unit::ALL { option value=(u.as_str()) selected[at == u.as_str()] { (lang.name(u)) } }
        }
    }
}

async fn policy_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    if !caller.can(Permission::ManageRules) {
        return forbidden(headers, caller, "admin_policy");
    }
    let rules = state.store.rules();
    let v = if shown.form == "policy" { shown.values.clone() } else { policy_fields(&rules.policy) };
    let get = |name: &str| v.get(name).cloned().unwrap_or_default();
    let on = |name: &str| v.get(name).is_some_and(|x| x == "true");
    let err = |name: &str| shown.err("policy", &[name]);
    let rows = get("overrides.count").parse::<usize>().unwrap_or(1).clamp(1, 64);
    // an added row when the form comes back with all its rows used
    let rows = if (0..rows).all(|i| !get(&format!("overrides[{i}].clock")).is_empty()) { rows + 1 } else { rows };
    let number = |name: &str, max: u32| {
        html! { input.num type="number" min="0" max=(max) name=(name) id=(name) value=(get(name)); (err(name)) }
    };
    let rule_cells = |prefix: &str| {
        let len = format!("{prefix}.period.length");
        let unit = format!("{prefix}.period.unit");
        let warn = format!("{prefix}.warn_at");
        html! {
            td { (number(&len, 24 * 366)) }
            td { (unit_select(lang, &unit, &v)) (err(&unit)) }
            td { input name=(warn) id=(warn) value=(get(&warn)) placeholder="50, 80" size="8"; (err(&warn)) }
        }
    };
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (lang.t("admin_policy")) }
            (shown.notice())
            p.muted { (lang.t("admin.policy.changes_apply")) }
            form #policy-form method="post" action="/admin/policy" data-confirm=(lang.t("admin.policy.replace_confirm")) {
                (hidden_csrf(&tok))
                input type="hidden" name="overrides.count" value=(rows);
                @for (_, m) in shown.errors.iter().filter(|(f, _)| f.is_empty() && shown.form == "policy") {
                    p.error.form-error role="alert" { (m) }
                }
                h2 { (lang.t("admin.policy.opening_hours")) }
                div.filters {
                    div { label for="opening_hours.open" { (lang.t("admin.policy.open")) }
                        input type="time" name="opening_hours.open" id="opening_hours.open" value=(get("opening_hours.open")); (err("opening_hours.open")) }
                    div { label for="opening_hours.close" { (lang.t("admin.policy.close")) }
                        input type="time" name="opening_hours.close" id="opening_hours.close" value=(get("opening_hours.close")); (err("opening_hours.close")) }
                }
                h2 { (lang.t("admin.policy.clocks")) }
                div.scroll { table.policy #policy-clocks {
                    thead { tr { th { (lang.t("admin.policy.clock")) } th { (lang.t("admin.policy.runs")) } th { (lang.t("admin.policy.length")) } th { (lang.t("admin.policy.unit")) } th { (lang.t("admin.policy.warn_at")) } } }
                    tbody {
                        @for (kind, optional) in CLOCKS {
                            @let c = kind.as_str();
                            tr data-clock=(c) {
                                th { (lang.name(kind)) }
                                td { @if optional { input type="checkbox" name={ (c) ".on" } id={ (c) ".on" } value="true" checked[on(&format!("{c}.on"))]; } @else { input type="hidden" name={ (c) ".on" } value="true"; "✓" } }
                                (rule_cells(c))
                            }
                        }
                    }
                } }
                h2 { (lang.t("admin.policy.overrides")) }
                p.muted { (lang.t("admin.policy.overrides_explained")) }
                div.scroll { table.policy #policy-overrides {
                    thead { tr { th { (lang.t("admin.policy.clock")) } th { (lang.t("channel")) } th { (lang.t("admin.policy.category")) } th { (lang.t("admin.policy.off")) } th { (lang.t("admin.policy.length")) } th { (lang.t("admin.policy.unit")) } th { (lang.t("admin.policy.warn_at")) } th { (lang.t("admin.policy.remove")) } } }
                    tbody {
                        @for i in 0..rows {
                            @let pre = format!("overrides[{i}]");
                            @let clock = get(&format!("{pre}.clock"));
                            @let channel = get(&format!("{pre}.channel"));
                            tr data-override=(i) {
                                td {
                                    select name={ (pre) ".clock" } id={ (pre) ".clock" } aria-label=(lang.t("admin.policy.clock")) {
                                        option value="" { "—" }
                                        @for k in ClockKind::ALL { option value=(k.as_str()) selected[clock == k.as_str()] { (lang.name(k)) } }
                                    }
                                    (err(&pre)) (err(&format!("{pre}.clock")))
                                }
                                td {
                                    select name={ (pre) ".channel" } id={ (pre) ".channel" } aria-label=(lang.t("channel")) {
                                        option value="" { (lang.t("admin.policy.any_channel")) }
                                        @for ch in Channel::ALL { option value=(ch.as_str()) selected[channel == ch.as_str()] { (lang.name(ch)) } }
                                    }
                                    (err(&format!("{pre}.channel")))
                                }
                                td { input name={ (pre) ".category" } id={ (pre) ".category" } size="6" value=(get(&format!("{pre}.category"))) aria-label=(lang.t("admin.policy.category")); (err(&format!("{pre}.category"))) }
                                td { input type="checkbox" name={ (pre) ".off" } id={ (pre) ".off" } value="true" checked[on(&format!("{pre}.off"))] aria-label=(lang.t("admin.policy.off")); (err(&format!("{pre}.rule"))) }
                                (rule_cells(&format!("{pre}.rule")))
                                td { input type="checkbox" name={ (pre) ".remove" } id={ (pre) ".remove" } value="true" aria-label=(lang.t("admin.policy.remove")); }
                            }
                        }
                    }
                } }
                h2 { (lang.t("admin.policy.extensions")) }
                div.filters {
                    div { label for="extension_days.first" { (lang.t("admin.policy.extension_first")) } (number("extension_days.first", 366)) }
                    div { label for="extension_days.second" { (lang.t("admin.policy.extension_second")) } (number("extension_days.second", 366)) }
                }
                (err("extension_days"))
                fieldset #extension-approvers {
                    legend { (lang.t("admin.policy.approvers")) }
                    @for r in Role::ALL {
                        label.inline { input type="checkbox" name={ "extension_approvers." (r.as_str()) } value="true" checked[on(&format!("extension_approvers.{}", r.as_str()))]; " " (lang.name(r)) } " "
                    }
                    (err("extension_approvers"))
                }
                div.filters {
                    div { label for="review_request_days" { (lang.t("admin.policy.review_request_days")) } (number("review_request_days", 366)) }
                    div { label for="repeat_window_days" { (lang.t("admin.policy.repeat_window")) } (number("repeat_window_days", 366)) }
                }
                h2 { (lang.t("admin.policy.escalation")) }
                fieldset #escalation-chain {
                    legend { (lang.t("admin.policy.chain")) }
                    @for i in 0..CHAIN {
                        @let name = format!("escalation.chain.{i}");
                        @let at = get(&name);
                        select name=(name) id=(name) aria-label={ (lang.t("admin.policy.level")) " " (i + 1) } {
                            option value="" { "—" }
                            @for r in Role::ALL { option value=(r.as_str()) selected[at == r.as_str()] { (lang.name(r)) } }
                        }
                        " "
                    }
                    (err("escalation.chain"))
                }
                div.filters {
                    div { label for="escalation.step.length" { (lang.t("admin.policy.step")) } (number("escalation.step.length", 24 * 366)) }
                    div { label for="escalation.step.unit" { (lang.t("admin.policy.unit")) } (unit_select(lang, "escalation.step.unit", &v)) (err("escalation.step.unit")) }
                }
                p { label.inline { input type="checkbox" name="escalation.auto_escalate" value="true" checked[on("escalation.auto_escalate")]; " " (lang.t("admin.policy.auto_escalate")) } }
                p { label.inline { input type="checkbox" name="escalation.working_hours_only" value="true" checked[on("escalation.working_hours_only")]; " " (lang.t("admin.policy.working_hours_only")) } }
                @if !shown.errors.is_empty() && shown.form == "policy" {
                    p.error.form-error #policy-errors role="alert" { (tr_count(lang, shown.errors.len())) }
                }
                button.primary #save-policy type="submit" { (lang.t("save")) }
            }
        }
    };
    render(headers, caller, tok, "admin_policy", status, body)
}

fn tr_count(lang: Lang, n: usize) -> String {
    crate::tr!(lang, "admin.policy.errors", n = n)
}

pub async fn policy_put(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    if !caller.can(Permission::ManageRules) {
        return forbidden(&headers, &caller, "admin_policy");
    }
    let current = state.store.rules().policy.clone();
    let r = match read(&f, &current) {
        Ok(policy) => crate::api::rules::set_policy(&state, &caller, policy).await.map(|_| ()),
        Err(errors) => Err(ApiError::InvalidAll(errors)),
    };
    match r {
        Ok(()) => Redirect::to("/admin/policy?saved=1").into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("policy", f, lang, e);
            policy_page(&state, &headers, &caller, shown, status).await
        }
    }
}
