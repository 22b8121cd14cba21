"""Patrol beats (动中备勤): each foot post becomes a loop through its area's hot spots.

A loop starts and ends at the post and visits the heaviest demand points within the post's
1-minute walk (``loop_limit_s``), so the unit patrols without leaving its response circle's
stops. The visiting order is a travelling-salesman tour solved by OR-Tools routing
(Apache-2.0; guided local search under a short time limit) on walk travel times; the path
between stops follows the walk network (``TravelTimes.route``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from pingan.geo.travel_time import TravelTimes


@dataclass(slots=True)
class Loop:
    stops: list[tuple[float, float]]  # (lon, lat): post, hot spots in visiting order, post
    coords: list[tuple[float, float]]  # the walked path
    duration_s: float
    length_m: float


def tour(times: np.ndarray, time_limit_s: float) -> list[int]:
    """Order of visits (starting and ending at 0) minimising total time; OR-Tools routing."""
    n = times.shape[0]
    if n <= 2:
        return [*range(n), 0]
    cost = np.where(np.isfinite(times), np.rint(times * 10), 10**7).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    # the costs as a matrix the solver reads itself: no Python call per arc it weighs
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost.tolist()))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    params.solution_limit = 200  # a handful of stops: settled long before the time limit
    found = routing.SolveWithParameters(params)
    if found is None:  # pragma: no cover - a complete graph always has a tour
        return [*range(n), 0]
    order, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index))
        index = found.Value(routing.NextVar(index))
    return [*order, 0]


def patrol_loop(
    engine: TravelTimes,
    post: tuple[float, float],
    spots: np.ndarray,
    *,
    time_limit_s: float = 1.0,
) -> Loop:
    """A loop from ``post`` through ``spots`` ((k, 2) lon/lat) and back, on the roads."""
    pts = np.vstack([np.asarray(post, dtype=float).reshape(1, 2), spots.reshape(-1, 2)])
    times = engine.matrix(pts, pts)
    order = tour(times, time_limit_s)
    coords: list[tuple[float, float]] = []
    duration = length = 0.0
    for a, b in itertools.pairwise(order):
        if a == b:
            continue
        leg = engine.route(pts[a], pts[b])
        coords += leg.coords if not coords else leg.coords[1:]
        duration += leg.eta_s
        length += leg.length_m
    stops = [(float(pts[i, 0]), float(pts[i, 1])) for i in order]
    return Loop(stops, coords or [stops[0]], duration, length)
