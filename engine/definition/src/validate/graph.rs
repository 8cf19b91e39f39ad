//! The stage graph: dependency cycles, stages that can never open, and the
//! decision branches each stage belongs to.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::algo::{kosaraju_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use super::stages::StageTable;
use super::Checker;
use crate::diagnostic::Diagnostic;

/// What a stage waits for: its `needs`, plus the decision whose outcome leads to it.
pub(crate) fn effective_needs(table: &StageTable) -> Vec<Vec<usize>> {
    let mut needs: Vec<Vec<usize>> = table.stages.iter().map(|s| s.needs.clone()).collect();
    for (d, stage) in table.stages.iter().enumerate() {
        for outcome in &stage.outcomes {
            for &target in &outcome.leads_to {
                if !needs[target].contains(&d) {
                    needs[target].push(d);
                }
            }
        }
    }
    needs
}

/// The (decision, outcome) pairs that lead directly to each stage.
pub(crate) fn branches(table: &StageTable) -> Vec<Vec<(usize, usize)>> {
    let mut branch = vec![Vec::new(); table.stages.len()];
    for (d, stage) in table.stages.iter().enumerate() {
        for (o, outcome) in stage.outcomes.iter().enumerate() {
            for &target in &outcome.leads_to {
                branch[target].push((d, o));
            }
        }
    }
    branch
}

/// Checks the graph; returns a topological order when there is no cycle.
pub(crate) fn check(checker: &mut Checker<'_>, table: &StageTable) -> Option<Vec<usize>> {
    let needs = effective_needs(table);
    let mut graph = DiGraph::<usize, ()>::with_capacity(needs.len(), needs.len() * 2);
    let nodes: Vec<NodeIndex> = (0..needs.len()).map(|i| graph.add_node(i)).collect();
    for (stage, stage_needs) in needs.iter().enumerate() {
        for &need in stage_needs {
            graph.add_edge(nodes[need], nodes[stage], ());
        }
    }

    let mut in_cycle = vec![false; needs.len()];
    // Kosaraju's walk keeps its own stack (Tarjan's in petgraph recurses,
    // and a chain of thousands of stages would exhaust the thread's); the
    // cycles are then reported in the order of the definition.
    let mut components = kosaraju_scc(&graph);
    components.sort_by_key(|c| c.iter().map(|n| graph[*n]).min());
    for component in components {
        let self_loop =
            component.len() == 1 && needs[graph[component[0]]].contains(&graph[component[0]]);
        if component.len() < 2 && !self_loop {
            continue;
        }
        let members: BTreeSet<usize> = component.iter().map(|n| graph[*n]).collect();
        for &m in &members {
            in_cycle[m] = true;
        }
        report_cycle(checker, table, &needs, &members);
    }

    let order = match toposort(&graph, None) {
        Ok(order) => order.into_iter().map(|n| graph[n]).collect::<Vec<_>>(),
        Err(_) => {
            report_blocked(checker, table, &needs, &in_cycle);
            return None;
        }
    };
    check_exclusive_branches(checker, table, &needs, &order);
    Some(order)
}

/// Prints the cycle stage by stage: `a → b → c → a`.
fn report_cycle(
    checker: &mut Checker<'_>,
    table: &StageTable,
    needs: &[Vec<usize>],
    members: &BTreeSet<usize>,
) {
    let Some(&start) = members.iter().next() else {
        return;
    };
    // Walk backwards along `needs` inside the component until we come back.
    let mut path = vec![start];
    let mut current = start;
    loop {
        let next = needs[current]
            .iter()
            .copied()
            .find(|n| members.contains(n) && (*n == start || !path.contains(n)));
        match next {
            Some(n) if n == start => break,
            Some(n) => {
                path.push(n);
                current = n;
            }
            None => break,
        }
    }
    path.reverse();
    path.push(path[0]);
    let names: Vec<&str> = path.iter().map(|&i| table.stages[i].id.as_str()).collect();
    let steps: Vec<(crate::source::Span, String)> = path
        .windows(2)
        .map(|pair| {
            let (need, stage) = (pair[0], pair[1]);
            let note = format!(
                "`{}` needs `{}`",
                table.stages[stage].id, table.stages[need].id
            );
            (need_span(checker, stage, need), note)
        })
        .collect();
    // Point first at a step in the file being checked, not in its template.
    let home = checker.tree.span.file;
    let primary = steps
        .iter()
        .position(|(span, _)| span.file == home)
        .unwrap_or(0);
    let mut diagnostic = Diagnostic::error(
        "dependency-cycle",
        format!(
            "these stages wait for each other in a circle: {}",
            names.join(" → ")
        ),
    )
    .at(steps[primary].0)
    .label(steps[primary].1.clone())
    .hint("no stage in a circle can ever open; remove one of these `needs`");
    for (k, (span, note)) in steps.iter().enumerate() {
        if k != primary {
            diagnostic = diagnostic.related(Some(*span), note.clone());
        }
    }
    checker.push(diagnostic);
}

/// Where stage `stage` says it needs `need` (its `needs` entry, or the outcome leading to it).
fn need_span(checker: &Checker<'_>, stage: usize, need: usize) -> crate::source::Span {
    let stages = checker.doc.stages.as_deref().unwrap_or_default();
    let need_id = stages.get(need).and_then(|s| s.id.as_deref());
    if let Some(j) = stages
        .get(stage)
        .and_then(|s| s.needs.as_ref())
        .and_then(|n| n.iter().position(|x| Some(x.as_str()) == need_id))
    {
        return checker.span(&format!("/stages/{stage}/needs/{j}"));
    }
    let stage_id = stages.get(stage).and_then(|s| s.id.as_deref());
    for (k, outcome) in stages
        .get(need)
        .and_then(|s| s.outcomes.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(l) = outcome
            .leads_to
            .iter()
            .flatten()
            .position(|x| Some(x.as_str()) == stage_id)
        {
            return checker.span(&format!("/stages/{need}/outcomes/{k}/leads_to/{l}"));
        }
    }
    checker.item_span("/stages", stage)
}

/// Stages outside any cycle that wait, directly or not, on one.
fn report_blocked(
    checker: &mut Checker<'_>,
    table: &StageTable,
    needs: &[Vec<usize>],
    in_cycle: &[bool],
) {
    let mut waiting_on: Vec<Vec<usize>> = vec![Vec::new(); needs.len()];
    for (stage, stage_needs) in needs.iter().enumerate() {
        for &need in stage_needs {
            waiting_on[need].push(stage);
        }
    }
    let mut blocked = in_cycle.to_vec();
    let mut queue: std::collections::VecDeque<usize> =
        (0..needs.len()).filter(|&s| in_cycle[s]).collect();
    while let Some(cause) = queue.pop_front() {
        for &stage in &waiting_on[cause] {
            if blocked[stage] {
                continue;
            }
            blocked[stage] = true;
            queue.push_back(stage);
            checker.push(
                Diagnostic::error("unreachable-stage", format!("stage `{}` can never open: it waits for `{}`, which is caught in a dependency cycle", table.stages[stage].id, table.stages[cause].id))
                    .at(checker.item_span("/stages", stage))
                    .hint("break the dependency cycle reported for these stages"),
            );
        }
    }
}

/// A stage that needs stages from two different outcomes of one decision can never open.
fn check_exclusive_branches(
    checker: &mut Checker<'_>,
    table: &StageTable,
    needs: &[Vec<usize>],
    order: &[usize],
) {
    let direct = branches(table);
    // For each stage: decision → the outcomes under which the stage can still run.
    let mut allowed: Vec<BTreeMap<usize, BTreeSet<usize>>> = vec![BTreeMap::new(); needs.len()];
    let mut reported = vec![false; needs.len()];
    for &s in order {
        let mut mine: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        let mut sources: Vec<(BTreeMap<usize, BTreeSet<usize>>, bool)> = needs[s]
            .iter()
            .map(|&n| (allowed[n].clone(), reported[n]))
            .collect();
        let mut direct_map: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for &(d, o) in &direct[s] {
            direct_map.entry(d).or_default().insert(o);
        }
        sources.push((direct_map, false));
        let inherited_unreachable = sources.iter().any(|(_, r)| *r);
        let mut conflict = None;
        for (map, _) in sources {
            for (d, outcomes) in map {
                match mine.get_mut(&d) {
                    None => {
                        mine.insert(d, outcomes);
                    }
                    Some(existing) => {
                        let both: BTreeSet<usize> =
                            existing.intersection(&outcomes).copied().collect();
                        if both.is_empty() {
                            conflict = Some(d);
                        }
                        *existing = both;
                    }
                }
            }
        }
        if let (Some(d), false) = (conflict, inherited_unreachable) {
            reported[s] = true;
            checker.push(
                Diagnostic::error("unreachable-stage", format!("stage `{}` can never open: it waits for stages on different outcomes of the decision `{}`, and only one outcome is ever taken", table.stages[s].id, table.stages[d].id))
                    .at(checker.item_span("/stages", s))
                    .hint("make it depend on one branch only, or list it under each outcome that should lead to it"),
            );
        }
        reported[s] |= inherited_unreachable;
        allowed[s] = mine;
    }
}
