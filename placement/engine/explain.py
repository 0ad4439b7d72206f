"""Reasons per child for the placement engine's result: pure Python, no Django. Codes and parameters only;
the services translate them into the reader's language."""

from collections import defaultdict

from placement.engine.problem import Child, Group, Reason


def explain(
    children: list[Child],
    groups: list[Group],
    pairs: list[tuple[int, int, int]],
    assignment: dict[int, int],
    index: dict[int, int],
) -> dict[int, list[Reason]]:
    options: dict[int, list[tuple[int, int]]] = defaultdict(list)  # child index -> (group index, metres)
    for i, g, m in pairs:
        options[i].append((g, m))
    used: dict[int, int] = defaultdict(int)
    for gid in assignment.values():
        used[index[gid]] += 1
    family_at: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for c in children:
        if c.sibling_group is not None and c.id in assignment:
            family_at[c.sibling_group][groups[index[assignment[c.id]]].location] += 1
    reasons: dict[int, list[Reason]] = {}
    for i, child in enumerate(children):
        band = _band(groups, child.age)
        if child.id in assignment:
            g = index[assignment[child.id]]
            metres = next(m for k, m in options[i] if k == g)
            out = [Reason("distance", {"km": round(metres / 1000)})]
            locations = {groups[k].location: m for k, m in options[i]}
            chosen = groups[g]
            if len(locations) == 1:
                out.append(Reason("only_location", {"location": chosen.location_name, "band": band}))
            elif metres <= min(locations.values()):
                out.append(Reason("nearest", {"location": chosen.location_name}))
            else:
                out.append(Reason("nearer_taken", {"location": chosen.location_name}))
            if child.sibling_group is not None:
                together = family_at[child.sibling_group][chosen.location] - 1
                if together:
                    out.append(Reason("with_siblings", {"count": together}))
            reasons[child.id] = out
        elif not options[i]:
            covered = any(gr.age_min <= child.age <= gr.age_max for gr in groups)
            code = "band_full" if covered else "no_group_for_age"
            reasons[child.id] = [Reason(code, {"age": child.age, "band": band})]
        else:
            at = family_at.get(child.sibling_group, {}) if child.sibling_group is not None else {}
            if at and not any(groups[k].location in at and used[k] < groups[k].free for k, _m in options[i]):
                reasons[child.id] = [Reason("siblings_elsewhere", {"age": child.age})]
            else:
                free = sum(groups[k].free for k, _m in options[i])
                reasons[child.id] = [Reason("places_taken", {"count": free, "band": band})]
    return reasons


def _band(groups: list[Group], age: int) -> str:
    bands = sorted({(g.age_min, g.age_max) for g in groups if g.age_min <= age <= g.age_max})
    return f"{bands[0][0]}-{bands[0][1]}" if bands else str(age)
