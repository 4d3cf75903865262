//! The words of registering a complaint and the public progress lookup.

catalogue! {
"register.title" => ("登记投诉", "Register a complaint"),
"register.name" => ("投诉人姓名", "Complainant's name"),
"register.phone" => ("联系电话", "Phone"),
"register.watchlist" => (
    "该投诉人为重点关注客户（已投诉 {count} 次）。",
    "This complainant is on the watch list ({count} complaints so far).",
),
"register.id_number" => ("证件号码", "ID number"),
"register.elderly" => ("老年人", "elderly"),
"register.disabled" => ("残障人士", "disabled"),
"register.foreigner" => ("外籍人士", "foreigner"),
"register.business_type" => ("业务类别", "Business type"),
"register.submit" => ("登记", "Register"),
"register.merged" => (
    "该投诉人的同一事项已由{unit}（{code}）受理处理中，本次投诉已并入该工单。",
    "The complainant's matter is already being handled by {unit} ({code}); this complaint has been added to it.",
),
}
