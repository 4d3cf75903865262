//! The words of the measures, the league tables, the statistics and the reports.

catalogue! {
"league.empty" => ("该机构本月没有可排名的对象。", "Nothing to rank in this unit and month."),
"league.summary" => (
    "参与排名 {ranked} 个，未参与 {unranked} 个（样本量不足 {min} 笔，或缺少客户数）。{better}",
    "{ranked} ranked, {unranked} not ranked (fewer than {min} cases behind the rate, or no customer figures). {better}",
),
"league.higher_better" => ("数值越高越好。", "Higher is better."),
"league.lower_better" => ("数值越低越好。", "Lower is better."),
"league.min_volume_help" => (
    "以投诉为分母的比率，样本量达到该数值才参与排名。",
    "A rate over complaints ranks a unit or employee only with at least this many cases behind it.",
),
"statistics.imported" => (
    "已导入 {n} 行：新录入 {added} 行，与原数据相同 {unchanged} 行，替换原数据 {replaced} 行。",
    "Rows imported: {n} (new: {added}, unchanged: {unchanged}, replacing figures entered before: {replaced}).",
),
"statistics.import_problems" => ("文件中有 {n} 处问题，未导入任何数据：", "Problems in the file: {n}. Nothing was imported:"),
"statistics.preview_title" => ("本次导入将替换 {n} 项已录入的数据，请确认", "This import replaces figures entered before ({n}): please confirm"),
"statistics.preview_summary" => (
    "文件共 {rows} 行：新录入 {added} 行，与原数据相同 {unchanged} 行，替换 {replaced} 行（下表，原数据 → 新数据）。确认前不会写入任何数据。",
    "Rows of the file: {rows} (new: {added}, unchanged: {unchanged}, replacing figures entered before: {replaced}; below, old → new). Nothing is written until you confirm.",
),
"statistics.preview_changed" => (
    "预览之后有数据被修改，下表已按现在的数据重新列出，请再次核对。",
    "Figures changed after the preview: the table below shows them as they are now; check again.",
),
"statistics.preview_more" => ("另有 {n} 项替换未列出。", "Replacements not listed: {n}."),
"statistics.confirm_replace" => ("确认替换 {n} 项并导入 {rows} 行", "Replace and import (rows: {rows}, replaced: {n})"),
"statistics.cancel_import" => ("取消导入", "Cancel the import"),
"statistics.saved" => ("已保存。", "Saved."),
"statistics.cleared" => ("已清除：该机构重新按下级机构合计。", "Cleared: the unit counts as the sum of its children again."),
"statistics.confirm_clear" => ("确定清除 {unit} 在 {period} 录入的数据吗？", "Clear the figures entered for {unit} in {period}?"),
"statistics.no_figures" => (
    "该期间尚无数据。请在下方录入或导入表格。",
    "No figures for this period yet. Enter them below or import a table.",
),
"statistics.import_help" => (
    "XLSX 工作簿（第一个工作表）或 UTF-8 编码的 CSV 文件，表头含 {unit}、{period}、{customers}、{transactions} 四列（也可用英文列名）。先检查每一行，全部无误才导入。",
    "An XLSX workbook (first sheet) or a UTF-8 CSV file with the columns org_unit, period, customers, transactions (or {unit}, {period}, {customers}, {transactions}) in a header row. Every row is checked first; nothing is entered unless all are good.",
),
"statistics.column_unit_name" => ("机构名称", "Unit name"),
"reports.regulatory_title" => ("监管投诉统计表", "Regulatory statistics table"),
"reports.no_complaints" => ("该机构和期间没有受理投诉。", "No complaints in this unit and period."),
"reports.total" => ("合计", "Total"),
"reports.ledger_title" => ("投诉台账（XLSX）", "Complaint ledger (XLSX)"),
"reports.ledger_help" => (
    "所选机构及下辖机构在日期范围内受理的全部投诉；申诉获批剔除的投诉仍列出并注明。",
    "Every complaint counted against the unit's subtree, received in the range; those excluded by an approved appeal stay listed, marked.",
),
}
