//! The words of the error pages: what went wrong, said so that anyone can act on it, and the way back.

catalogue! {
    "errors.back" => ("返回上一页", "Back to the previous page"),
    "errors.not_found_text" => (
        "这个网址没有对应的页面。请检查网址，或从首页重新进入。",
        "There is no page at this address. Check the address, or start again from the home page.",
    ),
    "errors.bad_address" => ("网址无法识别", "This address cannot be read"),
    "errors.bad_address_text" => (
        "网址中的查询条件有误。请返回上一页，重新选择条件后再试。",
        "The conditions in this address are not valid. Go back, choose them again and retry.",
    ),
    "errors.csrf" => ("页面已过期，请重新提交", "This form has expired"),
    "errors.csrf_text" => (
        "为保护您的账户，系统没有接受这次提交：表单已过期，或不是从本系统的页面发出的。请返回上一页，刷新后再提交一次。",
        "To protect your account the form was not accepted: it has expired, or it was not sent from this site's page. Go back, reload the page and send it again.",
    ),
    "errors.bad_form" => ("表单内容无法识别", "The form could not be read"),
    "errors.bad_form_text" => (
        "提交的表单不完整或格式不对，没有保存任何内容。请返回上一页，刷新后重新填写。",
        "The form sent was incomplete or not in the right format; nothing was saved. Go back, reload the page and fill it in again.",
    ),
    "errors.too_large" => ("提交的内容太多", "Too much was sent"),
    "errors.too_large_text" => (
        "提交的内容超过了系统允许的大小，没有保存任何内容。请缩短文字（或换一个较小的文件）后再提交。",
        "What was sent is larger than the system accepts; nothing was saved. Shorten the text (or choose a smaller file) and send it again.",
    ),
    "errors.method" => ("不能这样打开此页面", "This page cannot be opened this way"),
    "errors.method_text" => (
        "这个网址只接收表单提交，不能直接打开。请返回上一页，或从首页进入。",
        "This address only takes a form's submission and cannot be opened directly. Go back, or start from the home page.",
    ),
    "errors.unavailable" => ("系统暂时繁忙", "The system is busy"),
    "errors.unavailable_text" => (
        "系统暂时无法处理，请过一会儿再试。",
        "The system cannot answer just now. Please try again in a little while.",
    ),
    "errors.internal" => ("系统出错了", "Something went wrong"),
    "errors.internal_text" => (
        "系统没能完成这次操作。请稍后再试；如果一直出现，请联系系统管理员。",
        "The system could not finish this. Please try again later; if it keeps happening, tell your system administrator.",
    ),
    "problem.method_not_allowed" => ("此地址不接受该请求方法", "this address does not take this method"),
}
