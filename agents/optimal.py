"""The exact optimum of every episode: the DP solved for each episode's calendar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from agents.dp import OptimalPolicy, solve_dp
from agents.policy import PolicyContext
from envs.calendar import Calendar


def calendar_key(calendar: Calendar) -> tuple:
    """Identifies a calendar: its start row when replayed, else its content."""
    if calendar.start is not None:
        return ("start", calendar.start)
    return ("content", calendar.season.tobytes(), calendar.promos.tobytes(), calendar.competitors.tobytes())


class EpisodeOptimalPolicy:
    """The optimal policy of each episode, for a batch of episodes with different calendars.

    Solves ``agents.dp.solve_dp`` once per distinct calendar (cached) and answers each row of a
    batch with the policy of its episode's calendar. Like every calendar-planning policy it is
    told the calendars with ``set_calendars`` before the episodes start.

    Args:
        context: the env's public facts (config, market, true demand model).
    """

    def __init__(self, context: PolicyContext) -> None:
        self.context = context
        self._solved: dict[tuple, tuple[float, OptimalPolicy]] = {}
        self._rows: list[OptimalPolicy] = []

    def solve(self, calendar: Calendar) -> tuple[float, OptimalPolicy]:
        """``(V0, optimal policy)`` of one calendar."""
        key = calendar_key(calendar)
        if key not in self._solved:
            result = solve_dp(self.context.config, calendar, self.context.model)
            self._solved[key] = (result.value, result.policy)
        return self._solved[key]

    def values(self, calendars: Sequence[Calendar]) -> np.ndarray:
        """``V0`` of each calendar: the exact optimal expected season profit."""
        return np.array([self.solve(c)[0] for c in calendars])

    def set_calendars(self, calendars: Sequence[Calendar]) -> None:
        """The calendars of the rows of the next batches of observations."""
        self._rows = [self.solve(c)[1] for c in calendars]

    def predict(
        self, observation: np.ndarray, state: Any = None, episode_start: Any = None, deterministic: bool = True
    ) -> tuple[np.ndarray, None]:
        """Row ``i`` of the batch gets the optimal action of episode ``i``'s calendar."""
        obs = np.atleast_2d(observation)
        if len(self._rows) not in (1, len(obs)):
            raise ValueError(f"batch of {len(obs)} observations for {len(self._rows)} calendars set")
        rows = self._rows * len(obs) if len(self._rows) == 1 else self._rows
        groups: dict[int, list[int]] = {}
        for i, policy in enumerate(rows):
            groups.setdefault(id(policy), []).append(i)
        actions = None
        for members in groups.values():
            acts, _ = rows[members[0]].predict(obs[members])
            if actions is None:
                actions = np.empty((len(obs), *np.shape(acts)[1:]), dtype=np.asarray(acts).dtype)
            actions[members] = acts
        return (actions[0] if np.ndim(observation) == 1 else actions), None
