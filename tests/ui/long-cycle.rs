// A cycle through 30 tasks is told by its ends and a count, not step by step.
telemachy::workflow! {
    pub workflow ring {
        name: "ring",

        agent worker {}

        team crew {
            members: [worker],

            task t0 { subject: "Step 0", assignee: worker, after: [t29] }
            task t1 { subject: "Step 1", assignee: worker, after: [t0] }
            task t2 { subject: "Step 2", assignee: worker, after: [t1] }
            task t3 { subject: "Step 3", assignee: worker, after: [t2] }
            task t4 { subject: "Step 4", assignee: worker, after: [t3] }
            task t5 { subject: "Step 5", assignee: worker, after: [t4] }
            task t6 { subject: "Step 6", assignee: worker, after: [t5] }
            task t7 { subject: "Step 7", assignee: worker, after: [t6] }
            task t8 { subject: "Step 8", assignee: worker, after: [t7] }
            task t9 { subject: "Step 9", assignee: worker, after: [t8] }
            task t10 { subject: "Step 10", assignee: worker, after: [t9] }
            task t11 { subject: "Step 11", assignee: worker, after: [t10] }
            task t12 { subject: "Step 12", assignee: worker, after: [t11] }
            task t13 { subject: "Step 13", assignee: worker, after: [t12] }
            task t14 { subject: "Step 14", assignee: worker, after: [t13] }
            task t15 { subject: "Step 15", assignee: worker, after: [t14] }
            task t16 { subject: "Step 16", assignee: worker, after: [t15] }
            task t17 { subject: "Step 17", assignee: worker, after: [t16] }
            task t18 { subject: "Step 18", assignee: worker, after: [t17] }
            task t19 { subject: "Step 19", assignee: worker, after: [t18] }
            task t20 { subject: "Step 20", assignee: worker, after: [t19] }
            task t21 { subject: "Step 21", assignee: worker, after: [t20] }
            task t22 { subject: "Step 22", assignee: worker, after: [t21] }
            task t23 { subject: "Step 23", assignee: worker, after: [t22] }
            task t24 { subject: "Step 24", assignee: worker, after: [t23] }
            task t25 { subject: "Step 25", assignee: worker, after: [t24] }
            task t26 { subject: "Step 26", assignee: worker, after: [t25] }
            task t27 { subject: "Step 27", assignee: worker, after: [t26] }
            task t28 { subject: "Step 28", assignee: worker, after: [t27] }
            task t29 { subject: "Step 29", assignee: worker, after: [t28] }
        }
    }
}

fn main() {}
