//! Which planned tasks may be submitted: how many dependencies each still waits for, and a
//! queue of those that wait for none, taken in the plan's submission order.
//!
//! Each completion costs the number of its dependents, so a run of `K` tasks and `E`
//! dependencies spends `O((K + E) log K)` here in total, however the tasks finish.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::executor::plan::Plan;

/// The dependency counts and the ready queue of one run.
#[derive(Debug)]
pub(crate) struct Readiness {
    /// Per task: dependencies not completed yet.
    waiting_on: Vec<usize>,
    /// Per task: the tasks that depend on it.
    dependents: Vec<Vec<usize>>,
    /// Per task: its place in [`Plan::order`].
    position: Vec<usize>,
    /// Tasks whose dependencies all completed, by place in the order.
    ready: BinaryHeap<Reverse<(usize, usize)>>,
}

impl Readiness {
    /// Counts for `plan`; tasks without dependencies are ready.
    pub(crate) fn new(plan: &Plan) -> Readiness {
        let count = plan.tasks.len();
        let mut dependents = vec![Vec::new(); count];
        for (index, task) in plan.tasks.iter().enumerate() {
            for &dependency in &task.after {
                dependents[dependency].push(index);
            }
        }
        let mut position = vec![0; count];
        for (place, &index) in plan.order.iter().enumerate() {
            position[index] = place;
        }
        let waiting_on: Vec<usize> = plan.tasks.iter().map(|task| task.after.len()).collect();
        let ready = (0..count)
            .filter(|&index| waiting_on[index] == 0)
            .map(|index| Reverse((position[index], index)))
            .collect();
        Readiness {
            waiting_on,
            dependents,
            position,
            ready,
        }
    }

    /// Records that `index` completed: dependents that waited only for it become ready.
    /// Call it once per task.
    pub(crate) fn completed(&mut self, index: usize) {
        for &dependent in &self.dependents[index] {
            let left = &mut self.waiting_on[dependent];
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.ready
                    .push(Reverse((self.position[dependent], dependent)));
            }
        }
    }

    /// The next ready task in submission order (each comes out once; the caller skips those
    /// that are under way already).
    pub(crate) fn next(&mut self) -> Option<usize> {
        self.ready.pop().map(|Reverse((_, index))| index)
    }

    /// The tasks that depend on `index`.
    pub(crate) fn dependents(&self, index: usize) -> &[usize] {
        &self.dependents[index]
    }

    /// Whether some task depends on `index`.
    pub(crate) fn has_dependents(&self, index: usize) -> bool {
        !self.dependents[index].is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Agent, Task, TaskRef, Team, Workflow};

    fn task(id: &'static str, after: &[&'static str]) -> Task {
        let mut task = Task::new(id, id.to_uppercase(), "a");
        task.after = after.iter().map(|dep| TaskRef::new("t", *dep)).collect();
        task
    }

    fn plan() -> Plan {
        let mut workflow = Workflow::new("ready");
        workflow.agents.push(Agent::new("a"));
        let mut team = Team::new("t", ["a"]);
        team.tasks.push(task("first", &[]));
        team.tasks.push(task("second", &["first"]));
        team.tasks.push(task("third", &["first", "second"]));
        team.tasks.push(task("alone", &[]));
        workflow.teams.push(team);
        Plan::new(&workflow).expect("a valid plan")
    }

    #[test]
    fn tasks_become_ready_when_their_last_dependency_completes() {
        let plan = plan();
        let mut ready = Readiness::new(&plan);
        assert_eq!(ready.next(), Some(0));
        assert_eq!(ready.next(), Some(3));
        assert_eq!(ready.next(), None);
        ready.completed(0);
        assert_eq!(ready.next(), Some(1), "third still waits for second");
        assert_eq!(ready.next(), None);
        ready.completed(1);
        assert_eq!(ready.next(), Some(2));
        assert!(ready.has_dependents(0));
        assert!(!ready.has_dependents(3));
        assert_eq!(ready.dependents(0), &[1, 2]);
    }
}
