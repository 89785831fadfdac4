#![deny(warnings)]
#![deny(missing_docs)]
//! The comma rules: a field ends with a comma unless an item or the closing brace follows;
//! lists may end with a comma; items need no comma, but one is tolerated.

telemachy::workflow! {
    /// Commas, or not.
    pub workflow commas {
        name: "commas",
        timeout: 1.5

        agent a { model: "m" }
        agent b {
            model: "m",
        },

        team t {
            members: [a, b,]
            task x { subject: "X", assignee: a }
            task y { subject: "Y", assignee: b, after: [x,], },
        }
    }
}

fn main() {
    let spec = commas::spec();
    assert_eq!(spec.timeout, Some(std::time::Duration::from_millis(1500)));
    assert_eq!(spec.agents.len(), 2);
    assert_eq!(spec.teams[0].agents, ["a", "b"]);
    assert_eq!(spec.teams[0].tasks.len(), 2);
    assert_eq!(spec.teams[0].tasks[1].after.len(), 1);

    // The same model as before `spec()` became static tables.
    assert_eq!(
        format!("{:#?}\n", commas::spec()),
        include_str!("../../data/specs/syntax-variants.txt")
    );
}
