//! Home pages that fit a day's work: each list shows its first rows and links to the whole list,
//! the most urgent first, and the less urgent folded.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;

both_backends!(home_lists_show_their_first_rows_most_urgent_first);

async fn home_lists_show_their_first_rows_most_urgent_first(app: TestApp) {
    for i in 0..12 {
        app.register("teller1", "BJ0101", &format!("1370000{i:04}")).await;
    }
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, html) = teller.get("/").await;
    let queue = html.split("id=\"queue\"").nth(1).unwrap().split("</details>").next().unwrap();
    assert_eq!(queue.matches("<tr>").count() - 1, 10, "ten rows and the header: {queue}");
    assert!(queue.contains("href=\"/complaints?mine=true\""), "a link to all of them");
    assert!(queue.contains("(10+)"), "{queue}");
    // the supervisor: the breaches first, then the queue, the escalations folded, the board last
    app.clock.advance(chrono::Duration::hours(3));
    let mut ops = Browser::new(&app);
    ops.login("ops").await;
    let (_, _, html) = ops.get("/").await;
    let at = |id: &str| html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id}"));
    assert!(at("breaches") < at("queue") && at("queue") < at("escalations") && at("escalations") < at("board"));
    let tag = |id: &str| {
        let i = at(id);
        html[html[..i].rfind('<').unwrap()..i + html[i..].find('>').unwrap()].to_string()
    };
    assert!(tag("breaches").contains(" open"), "the breaches are open: {}", tag("breaches"));
    let breaches = html.split("id=\"breaches\"").nth(1).unwrap().split("</details>").next().unwrap();
    assert_eq!(breaches.matches("<tr>").count() - 1, 10);
    assert!(breaches.contains("overdue=true"), "{breaches}");
}
