//! The page frame: header with the user's unit and role, the language switch, and the content.

use crate::i18n::Lang;
use maud::{DOCTYPE, Markup, html};
use xiaobao_core::role::Permission;
use xiaobao_store::UserRow;

const CSS: &str = r#"
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;margin:0;color:#1d232b;background:#f5f6f8;font-size:17px;line-height:1.6}
header{background:#8a1c1c;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;font-weight:600}
header .who{margin-left:auto}
header form{display:inline}
header button{background:transparent;color:#fff;border:1px solid #fff;border-radius:4px;padding:.15rem .6rem;cursor:pointer;font-size:.95rem}
main{max-width:72rem;margin:1.2rem auto;padding:0 1rem}
.card{background:#fff;border-radius:6px;padding:1rem 1.2rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input,select,textarea{font-size:1rem;padding:.4rem;border:1px solid #b8bec6;border-radius:4px;width:100%;box-sizing:border-box}
button.primary{background:#8a1c1c;color:#fff;border:0;border-radius:4px;padding:.5rem 1.2rem;font-size:1rem;margin-top:.8rem;cursor:pointer}
.error{color:#b00020;font-weight:600}
.clock{display:inline-block;border-radius:3px;padding:0 .4rem;margin:0 .2rem .2rem 0;font-size:.9rem}
.clock.ok{background:#e3f4e8;color:#17602b}.clock.warning{background:#fff3cd;color:#7a5200}.clock.breached{background:#fde2e1;color:#a3150f}
.clock.met,.clock.stopped,.clock.paused{background:#eceff3;color:#4a5360}
.muted{color:#5b6571}
.group{border-top:1px solid #e3e6ea;padding-top:.6rem;margin-top:.8rem}
.scroll{overflow-x:auto}
.notice{background:#e3f4e8;color:#17602b;padding:.4rem .7rem;border-radius:4px}
nav.main{display:flex;flex-wrap:wrap;gap:.2rem .8rem}nav.main a{font-weight:normal;white-space:nowrap}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:0 1.5rem}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:0 1rem}
label.inline{display:inline;font-weight:normal;margin-right:1rem}label.inline input{width:auto}
a.button{display:inline-block;border:1px solid #8a1c1c;color:#8a1c1c;border-radius:4px;padding:.45rem 1rem;margin-top:.8rem;text-decoration:none}
.pager{margin-top:.8rem}.pager a{margin:0 .4rem}
td.nowrap{white-space:nowrap}
th.num,td.num{text-align:right}tr.total td{font-weight:700;border-top:2px solid #b8bec6}tr.own td{font-style:italic;background:#fafbfc}
.field-error{display:block;font-size:.95rem}
nav.tabs{margin-bottom:.8rem}nav.tabs a{display:inline-block;margin-right:.4rem;padding:.2rem .7rem;border-radius:4px;color:#8a1c1c;text-decoration:none;border:1px solid #e3c4c4}
nav.tabs a.current{background:#8a1c1c;color:#fff}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.3rem 1.2rem;margin:.6rem 0 0}
dl.facts.wide{grid-template-columns:1fr}
.fact dt{font-size:.9rem;color:#5b6571;margin:0}.fact dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.prewrap{white-space:pre-wrap}
h1 .state{font-size:1rem;background:#eceff3;border-radius:4px;padding:.1rem .5rem;vertical-align:middle}
.badge{display:inline-block;font-size:.85rem;background:#fff3cd;color:#7a5200;border-radius:3px;padding:0 .4rem}
.panel{border:1px solid #d5d9de;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0;background:#fff}
.panel.main{border:2px solid #8a1c1c;background:#fffafa}
.panel h3{margin:.1rem 0 .2rem}
details.panel>summary{cursor:pointer;font-weight:600;font-size:1.05rem;padding:.2rem 0}
.panel.heavy{border-left:5px solid #b45309}
.heavy-mark{font-weight:normal;font-size:.9rem;color:#b45309}
.hint{color:#5b6571;margin:.2rem 0 .4rem}
button.primary.heavy{background:#b45309}
h3.others{margin:1rem 0 .2rem;font-size:1rem;color:#5b6571}
.required{color:#b00020;font-weight:700}
fieldset{border:0;padding:0;margin:.5rem 0 0}legend{font-weight:600;padding:0;margin-bottom:.2rem}
.counter{display:block;font-size:.9rem;color:#5b6571;text-align:right}.counter.over{color:#b00020;font-weight:700}
.done .notice{font-size:1.05rem;margin:0}
.receipt .bank{font-weight:700;font-size:1.2rem;margin:0}.receipt-facts th{width:11rem}
.receipt-qr{display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}.receipt-qr svg{width:160px;height:160px}
h1,h2{overflow-wrap:anywhere}
@media (max-width:600px){.bell-label{display:none}
.card{overflow-x:auto}
table.orders thead{display:none}table.orders tr{display:block;border-bottom:1px solid #d5d9de;padding:.5rem 0}
table.orders td{display:block;border:0;padding:.05rem 0}table.orders td::before{content:attr(data-label)"：";color:#5b6571;font-size:.85rem}
header{padding:.5rem .6rem;gap:.4rem}header .who{margin-left:0;font-size:.9rem}main{padding:0 .5rem;margin-top:.6rem}.card{padding:.8rem}h1{font-size:1.45rem}
#timeline tr{display:block;border-bottom:1px solid #e3e6ea;padding:.3rem 0}#timeline td{display:inline;border:0;padding:0 .4rem 0 0}
#timeline td.detail{display:block}.receipt-facts th{width:auto}}
#bell{font-size:.95rem;white-space:nowrap;text-decoration:none;position:relative;padding:0 .3rem}#bell .count{background:#ffd24d;color:#4a2b00;border-radius:9px;font-size:.75rem;font-weight:700;padding:0 .35rem;margin-left:.1rem;vertical-align:top}
#notifications tr.unread td{font-weight:700}
details.section>summary{cursor:pointer;list-style:none}details.section>summary::-webkit-details-marker{display:none}
details.section>summary h2{display:inline-block;margin:.2rem 0}details.section>summary h2::before{content:"▸ ";color:#8a1c1c}details.section[open]>summary h2::before{content:"▾ "}
@media print{header,nav,.no-print,#actions,form{display:none!important}body{background:#fff}.card{box-shadow:none}}
form.inline{display:flex;gap:.4rem;align-items:center;margin:0}form.inline input{width:auto;flex:1}form.inline button{padding:.3rem .7rem}
"#;

pub fn page(lang: Lang, user: Option<&UserRow>, csrf: Option<&str>, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        @let admin = user.is_some_and(|u| u.role.can(Permission::ManageOrg) || u.role.can(Permission::ManageUsers) || u.role.can(Permission::ManageRules) || u.role.can(Permission::ManageIntegrations));
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.t("app")) }
                style { (maud::PreEscaped(CSS)) }
                script src="/static/app.js" defer {}
            }
            body {
                header {
                    a href="/" { (lang.t("app_long")) }
                    @if user.is_some() {
                        nav.main {
                            a #nav-home href="/" { (lang.t("home")) }
                            a #nav-orders href="/complaints" { (lang.t("orders")) }
                            @if user.is_some_and(|u| u.role.can(Permission::ReadMeasures)) { a #nav-measures href="/measures" { (lang.t("measures")) } }
                            @else if user.is_some_and(|u| u.role.can(Permission::EnterStatistics)) { a #nav-measures href="/statistics" { (lang.t("period_stats")) } }
                            @if user.is_some_and(|u| u.role.can(Permission::ReadMeasures)) { a #nav-service href="/service" { (lang.t("svc.nav")) } }
                            @if user.is_some_and(|u| u.role.can(Permission::Inspect) || u.role.can(Permission::ManageService) || u.role.can(Permission::ReadMeasures)) { a #nav-inspections href="/inspections" { (lang.t("nav.inspections")) } }
                            @if user.is_some() { a #nav-rectifications href="/rectifications" { (lang.t("nav.rectifications")) } }
                            @if user.is_some_and(|u| u.role.can(Permission::ReadMeasures) || u.role.can(Permission::ManageService)) { a #nav-bulletins href="/bulletins" { (lang.t("nav.bulletins")) } }
                            @if user.is_some() { a #nav-records href="/service-records" { (lang.t("nav.records")) } }
                            @if user.is_some_and(|u| u.role.can(Permission::ReadWorkbook)) { a #nav-workbook href="/workbook" { (lang.t("nav.workbook")) } }
                            @if admin { a #nav-admin href="/admin" { (lang.t("admin")) } }
                        }
                    }
                    span.who {
                        @if user.is_some() { (super::inbox::bell(lang)) " " }
                        @if let Some(u) = user {
                            span #whoami { (u.display_name) " · " (u.org_name) " (" (u.org_code) ") · "
                                (lang.name(u.role)) }
                            " "
                        }
                        form method="post" action="/lang" {
                            @if let Some(t) = csrf { input type="hidden" name="_csrf" value=(t); }
                            input type="hidden" name="to" value=(if lang.english() { "zh" } else { "en" });
                            button #switch-lang type="submit" { (lang.t("switch_lang")) }
                        }
                        @if user.is_some() {
                            " "
                            form method="post" action="/logout" {
                                @if let Some(t) = csrf { input type="hidden" name="_csrf" value=(t); }
                                button #logout type="submit" { (lang.t("logout")) }
                            }
                        }
                    }
                }
                main { (super::calendar_gap::banner(lang, user)) (body) }
            }
        }
    }
}
