//! Teams: create with members, list, replace members, delete, then not found.

use telemachy::api::NewTeam;
use telemachy::sim::SimConfig;

use crate::requests::{docker_agent, local_agent};
use crate::support::{client, simulator};

#[tokio::test]
async fn create_list_replace_members_delete() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let scout = client.create_agent(&docker_agent()).await.expect("agent");
    let reviewer = client.create_agent(&local_agent()).await.expect("agent");

    let team = client
        .create_team(&NewTeam {
            name: "tlm-0123456789abcdef-team".into(),
            agent_ids: vec![scout.id.clone()],
        })
        .await
        .expect("create");
    assert_eq!(team.name, "tlm-0123456789abcdef-team");
    assert_eq!(team.agent_ids, std::slice::from_ref(&scout.id));
    assert!(!team.created_at.is_empty());
    assert_eq!(
        client.list_teams().await.expect("list"),
        std::slice::from_ref(&team)
    );

    let members = [reviewer.id.clone(), scout.id.clone()];
    let replaced = client
        .set_team_members(&team.id, &members)
        .await
        .expect("replace members");
    assert_eq!(replaced.id, team.id);
    assert_eq!(replaced.agent_ids, members);
    assert_eq!(replaced.created_at, team.created_at);
    let listed = client.list_teams().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].agent_ids, members);
    assert_eq!(sim.teams(), listed);

    let emptied = client.set_team_members(&team.id, &[]).await.expect("empty");
    assert!(emptied.agent_ids.is_empty());

    client.delete_team(&team.id).await.expect("delete");
    assert!(client.list_teams().await.expect("list").is_empty());
    let again = client.delete_team(&team.id).await.expect_err("gone");
    assert!(again.is_not_found(), "{again:?}");
    assert_eq!(again.server_message(), Some("team not found"));
    let members = client
        .set_team_members(&team.id, &members)
        .await
        .expect_err("gone");
    assert!(members.is_not_found(), "{members:?}");
}
