//! Lists over several pages: the client asks for the largest page the server gives (1000),
//! so 2001 agents take three pages.

use std::collections::BTreeSet;

use telemachy::api::NewAgent;
use telemachy::sim::SimConfig;
use tokio::task::JoinSet;

use crate::support::{client, simulator};

/// Three pages: 1000, 1000 and 1.
const AGENTS: usize = 2001;
/// Concurrent creators (the simulator serves each connection on its own task).
const CREATORS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_agent_over_three_pages() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let mut creators = JoinSet::new();
    for creator in 0..CREATORS {
        let client = client.clone();
        creators.spawn(async move {
            for n in (creator..AGENTS).step_by(CREATORS) {
                let agent = NewAgent {
                    name: format!("tlm-page-{n:04}"),
                    ..NewAgent::default()
                };
                client.create_agent(&agent).await.expect("create");
            }
        });
    }
    while let Some(done) = creators.join_next().await {
        done.expect("a creator finished");
    }
    let before = sim.requests().count("GET", "/v1/agents");

    let listed = client.list_agents().await.expect("list");
    assert_eq!(sim.requests().count("GET", "/v1/agents") - before, 3);
    assert_eq!(listed.len(), AGENTS);
    let names: BTreeSet<&str> = listed.iter().map(|agent| agent.name.as_str()).collect();
    assert_eq!(names.len(), AGENTS, "every agent once");
    // In the server's order (by id), exactly what it holds.
    assert_eq!(listed, sim.agents());
}
