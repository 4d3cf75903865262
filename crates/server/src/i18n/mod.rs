//! The language of a request and the interface's words in both languages, keyed by the glossary's
//! identifiers. One rule for pages and API alike: the user's choice (cookie `xiaobao_lang`) first,
//! else the browser's `Accept-Language`; Chinese when neither says English.

mod mail;
mod names;
mod refusals;

pub use mail::alert_mail;
pub use names::Named;
pub use refusals::refusal;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub const LANG_COOKIE: &str = "xiaobao_lang";

impl Lang {
    pub fn from_headers(h: &HeaderMap) -> Self {
        let cookie = h
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .map(|(_, v)| v.to_string());
        match cookie.as_deref() {
            Some("en") => Lang::En,
            Some("zh") | Some("zh-CN") => Lang::Zh,
            _ => Self::from_accept_language(h),
        }
    }

    /// English when the browser's first preference is English.
    fn from_accept_language(h: &HeaderMap) -> Self {
        let english = h
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("en"));
        if english { Lang::En } else { Lang::Zh }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn english(self) -> bool {
        self == Lang::En
    }

    /// The word for `key` (falls back to the key itself, which a test would catch).
    pub fn t(self, key: &'static str) -> &'static str {
        let (zh, en) = words(key).unwrap_or((key, key));
        if self.english() { en } else { zh }
    }

    /// A word whose key is only known at run time (e.g. a measure's name from a request); the key
    /// itself when the table has none.
    pub fn word(self, key: &str) -> String {
        match words(key) {
            Some((zh, en)) => (if self.english() { en } else { zh }).to_string(),
            None => key.to_string(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

/// (Chinese, English) for a key, if the table has it.
fn words(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "app" => ("消保", "Xiaobao"),
        "app_long" => ("消保 · 消费者权益保护", "Xiaobao · consumer protection"),
        "login" => ("登录", "Log in"),
        "logout" => ("退出", "Log out"),
        "username" => ("用户名", "Username"),
        "password" => ("密码", "Password"),
        "login_failed" => ("用户名或密码错误", "Wrong username or password"),
        "switch_lang" => ("English", "中文"),
        "home" => ("首页", "Home"),
        "my_orders" => ("我首问的工单", "My first-responder orders"),
        "queue" => ("待办工单（按最近到期排序）", "Work queue (nearest deadline first)"),
        "breaches" => ("辖内超时工单", "Breached in my scope"),
        "escalations" => ("辖内升级工单", "Escalations in my scope"),
        "no_breaches" => ("辖内没有超时工单。", "Nothing breached in your scope."),
        "no_escalations" => ("辖内没有升级工单。", "No escalations in your scope."),
        "no_orders" => ("暂无工单。登记一笔投诉后会显示在这里。", "No orders yet. Orders you register appear here."),
        "no_queue" => ("没有待办工单。", "Nothing to work on."),
        "number" => ("工单号", "Number"),
        "state" => ("状态", "State"),
        "channel" => ("渠道", "Channel"),
        "org_unit" => ("机构", "Org unit"),
        "summary" => ("摘要", "Summary"),
        "received_at" => ("受理时间", "Received"),
        "clocks" => ("时限", "Deadlines"),
        "timeline" => ("处理记录", "Timeline"),
        "complainant" => ("投诉人", "Complainant"),
        "first_responder" => ("首问责任人", "First responder"),
        "description" => ("投诉内容", "Description"),
        "not_found" => ("未找到，或不在您的机构范围内", "Not found, or outside your org unit's scope"),
        "progress" => ("投诉进度查询", "Complaint progress"),
        "phone_last4" => ("联系电话后四位", "Last four digits of the phone"),
        "lookup" => ("查询", "Look up"),
        "progress_none" => {
            ("未查到该投诉，请核对工单号和电话后四位", "No such complaint: check the number and the last four digits")
        }
        "too_many" => ("查询过于频繁，请稍后再试", "Too many attempts; try again later"),
        "response" => ("响应", "Response"),
        "decision" => ("处理决定", "Decision"),
        "completion" => ("限时办结", "Completion"),
        "review" => ("核查", "Re-review"),
        "ok" => ("正常", "on time"),
        "warning" => ("临近到期", "due soon"),
        "breached" => ("已超时", "breached"),
        "met" => ("已完成", "met"),
        "stopped" => ("已停止", "stopped"),
        "paused" => ("已暂停", "paused"),
        "orders" => ("工单列表", "Orders"),
        "any" => ("全部", "Any"),
        "org_unit_code" => ("机构代码（含下级）", "Unit code (with its subtree)"),
        "category" => ("业务类别", "Category"),
        "received_from" => ("受理日期自", "Received from"),
        "received_to" => ("受理日期至", "Received to"),
        "sort" => ("排序", "Sort"),
        "sort_received" => ("最新受理在前", "Newest received first"),
        "sort_due" => ("最近到期在前", "Nearest deadline first"),
        "per_page" => ("每页条数", "Per page"),
        "overdue" => ("已超时", "Overdue"),
        "repeat" => ("重复投诉", "Repeat"),
        "escalated" => ("已升级", "Escalated"),
        "mine" => ("我首问的", "Registered by me"),
        "apply" => ("筛选", "Filter"),
        "reset" => ("清除条件", "Clear"),
        "export_xlsx" => ("导出 Excel", "Export to Excel"),
        "fix_filters" => ("请先更正上面标出的筛选条件。", "Correct the filter marked above first."),
        "total" => ("共计", "Total"),
        "no_match" => {
            ("没有符合条件的工单。请放宽筛选条件或清除条件。", "No orders match. Widen the filter or clear it.")
        }
        "prev" => ("上一页", "Previous"),
        "next" => ("下一页", "Next"),
        "back" => ("返回", "Back"),
        "board" => ("辖内看板", "Board"),
        "open" => ("在办", "Open"),
        "escalated_open" => ("升级在办", "Escalated, open"),
        "received_month" => ("本月受理", "Received this month"),
        "regulator_month" => ("其中监管转办", "of which from the regulator"),
        "repeat_month" => ("其中重复投诉", "of which repeats"),
        "measures" => ("统计指标", "Measures"),
        "date_from" => ("受理日期自", "From"),
        "date_to" => ("至", "To"),
        "breakdown" => ("分组", "Break down by"),
        "none" => ("不分组", "None"),
        "by_unit" => ("下级机构", "Child unit"),
        "by_month" => ("月份", "Month"),
        "by_channel" => ("受理渠道", "Intake channel"),
        "by_category" => ("业务类别", "Business category"),
        "by_cause" => ("投诉原因", "Cause"),
        "received" => ("受理投诉", "Complaints received"),
        "customers" => ("客户数", "Customers"),
        "transactions" => ("交易笔数", "Transactions"),
        "per_10k_customers" => ("万人投诉率", "Per 10,000 customers"),
        "per_10k_transactions" => ("万笔投诉率", "Per 10,000 transactions"),
        "timely_response_rate" => ("及时响应率", "Timely response rate"),
        "on_time_resolution_rate" => ("按时办结率", "On-time resolution rate"),
        "resolved_at_outlet_rate" => ("网点化解率", "Resolved at the outlet"),
        "escalation_rate" => ("升级率", "Escalation rate"),
        "repeat_rate" => ("重复投诉率", "Repeat rate"),
        "over_level_rate" => ("越级投诉率", "Over-level rate"),
        "liable_share" => ("有责占比", "Liable share"),
        "satisfaction" => ("处理满意率", "Satisfaction with decisions"),
        "trend" => ("按月趋势", "Monthly trend"),
        "no_complaints_in_range" => (
            "所选机构和日期范围内没有受理投诉。请扩大日期范围或选择上级机构。",
            "No complaints were received in this unit and range. Widen the range or choose a parent unit.",
        ),
        "period_stats" => ("客户数与交易量", "Customers and transactions"),
        "period" => ("统计期间", "Period"),
        "source" => ("来源", "Source"),
        "entered" => ("录入", "Entered"),
        "summed" => ("下级合计", "Sum of children"),
        "missing" => ("缺失", "Missing"),
        "clear" => ("清除", "Clear"),
        "download_template" => ("下载填报模板（CSV）", "Download a template to fill in (CSV)"),
        "enter_figures" => ("录入数据", "Enter figures"),
        "save" => ("保存", "Save"),
        "import_figures" => ("导入表格", "Import a table"),
        "import" => ("导入", "Import"),
        "league" => ("排名", "League tables"),
        "hot_issues" => ("热点问题", "Hot issues"),
        "reports" => ("报表", "Reports"),
        "league_of" => ("排名对象", "Rank"),
        "outlets" => ("网点", "Outlets"),
        "employees" => ("员工（首问责任人）", "Employees (first responders)"),
        "league_measure" => ("排名指标", "Measure"),
        "min_volume" => ("最低样本量", "Minimum volume"),
        "league_best" => ("最好", "Best"),
        "league_worst" => ("最差", "Worst"),
        "league_unranked" => ("未参与排名", "Not ranked"),
        "rank" => ("名次", "Rank"),
        "volume" => ("样本量", "Volume"),
        "admin" => ("系统管理", "Administration"),
        "admin_org" => ("机构", "Org units"),
        "admin_users" => ("用户与角色", "Users and roles"),
        "admin_categories" => ("分类与原因代码", "Categories and cause codes"),
        "admin_policy" => ("时限规则", "Deadline policy"),
        "admin_calendar" => ("工作日历", "Working-day calendar"),
        "no_permission" => ("您的角色无权访问此页面", "Your role may not open this page"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{Lang, words};

    #[test]
    fn every_word_has_both_languages() {
        for key in [
            "app",
            "login",
            "logout",
            "username",
            "password",
            "login_failed",
            "my_orders",
            "queue",
            "no_orders",
            "number",
            "state",
            "channel",
            "timeline",
            "not_found",
            "progress",
            "response",
            "decision",
            "completion",
            "review",
            "breached",
        ] {
            let (zh, en) = words(key).unwrap_or_else(|| panic!("{key} is not in the table"));
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
            assert_ne!(zh, en, "{key} has the same words in both languages");
            assert_eq!(Lang::Zh.t(key), zh);
            assert_eq!(Lang::En.t(key), en);
        }
    }
}
