"""The three AI paradigms of notebook 01, small enough to read in one sitting.

- Symbolism: an animal expert system, IF-THEN rules + forward chaining (``forward_chain``).
- Connectionism lives in the notebook itself (real reviews: ``forge_utils.data.load_online_reviews``).
- Behaviourism: the 4×4 maze (``Maze``), tabular ``q_learning``, a bounded ``greedy_walk``
  and ``bfs_shortest_path`` to check that the learned path is a shortest one.
- A CNN glimpse: ``conv2d_single`` and ``max_pool2d`` from scratch (NumPy), equal to
  ``torch.nn.functional.conv2d`` / ``max_pool2d``.

    >>> facts, steps = forward_chain(["有毛发", "有蹄", "黑条纹"])
    >>> [s.conclusion for s in steps]
    ['哺乳动物', '有蹄类', '斑马']
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------- symbolism: expert system


@dataclass(frozen=True)
class Rule:
    """IF all ``premises`` are known facts THEN ``conclusion`` is a fact."""

    premises: tuple[str, ...]
    conclusion: str

    def __str__(self) -> str:
        return f"{' + '.join(self.premises)} → {self.conclusion}"


# The knowledge base of the lecture (001 §1.1.1), in the lecture's order.
ANIMAL_RULES: tuple[Rule, ...] = (
    Rule(("有毛发",), "哺乳动物"),
    Rule(("有乳",), "哺乳动物"),
    Rule(("吃肉",), "食肉动物"),
    Rule(("有犬齿", "有爪", "眼向前方"), "食肉动物"),
    Rule(("哺乳动物", "有蹄"), "有蹄类"),
    Rule(("哺乳动物", "反刍"), "有蹄类"),
    Rule(("哺乳动物", "食肉动物", "黄褐色", "暗斑点"), "豹子"),
    Rule(("哺乳动物", "食肉动物", "黄褐色", "黑条纹"), "老虎"),
    Rule(("有蹄类", "长脖子", "长腿", "暗斑点"), "长颈鹿"),
    Rule(("有蹄类", "黑条纹"), "斑马"),
)
ANIMALS: frozenset[str] = frozenset({"豹子", "老虎", "长颈鹿", "斑马"})


def known_facts(rules: Sequence[Rule] = ANIMAL_RULES) -> set[str]:
    """Every fact a rule mentions, as premise or conclusion."""
    return {p for r in rules for p in r.premises} | {r.conclusion for r in rules}


def forward_chain(
    facts: Iterable[str], rules: Sequence[Rule] = ANIMAL_RULES, strict: bool = True
) -> tuple[set[str], list[Rule]]:
    """Fire rules until nothing new follows; return ``(all facts, fired rules in order)``.

    Sweeps the rules in order, again and again, like the lecture's inference engine.
    With ``strict`` a fact that no rule mentions (a typo such as ``"有毛"``) raises a
    ``ValueError`` (message in Chinese: notebook 01 prints it) instead of silently matching nothing.
    """
    if isinstance(facts, str):
        raise TypeError(f"facts 应该是事实组成的列表，比如 ['有毛发', '有蹄']，而不是字符串 {facts!r}")
    known = set(facts)
    if strict:
        vocabulary = known_facts(rules)
        unknown = sorted(known - vocabulary)
        if unknown:
            raise ValueError(
                f"没有任何规则提到 {unknown}，请检查拼写。规则认识的事实：{'、'.join(sorted(vocabulary))}"
                "（确实要用规则之外的事实，就传入 strict=False）"
            )
    fired: list[Rule] = []
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.conclusion not in known and all(p in known for p in rule.premises):
                known.add(rule.conclusion)
                fired.append(rule)
                changed = True
    return known, fired


def identify_animal(facts: Iterable[str], rules: Sequence[Rule] = ANIMAL_RULES) -> list[str]:
    """The animals among the facts forward chaining derives (sorted; empty if none)."""
    derived, _ = forward_chain(facts, rules)
    return sorted(derived & ANIMALS)


# ---------------------------------------------------------------- behaviourism: maze + Q-learning

# The lecture's maze: 0 free, 1 wall, 9 goal; the agent starts top-left.
MAZE_GRID = np.array(
    [
        [0, 0, 0, 1],
        [0, 1, 0, 1],
        [0, 1, 0, 0],
        [0, 0, 0, 9],
    ]
)
# Names that match their (row, column) vectors; the lecture's comment had them mixed up.
ACTION_NAMES: tuple[str, ...] = ("上", "下", "左", "右")
ACTION_VECTORS: tuple[tuple[int, int], ...] = ((-1, 0), (1, 0), (0, -1), (0, 1))
State = tuple[int, int]


class Maze:
    """A grid world: ``step`` moves one cell unless a wall or the border is in the way.

    Rewards as in the lecture: +100 for reaching the goal, −1 for every other step
    (bumping into a wall also costs −1 and leaves the agent where it was).
    """

    def __init__(self, grid: np.ndarray = MAZE_GRID, start: State = (0, 0), goal_reward: float = 100.0,
                 step_reward: float = -1.0) -> None:
        grid = np.asarray(grid)
        if grid.ndim != 2:
            raise ValueError(f"grid 应该是二维的 (rows, cols)，收到的形状是 {grid.shape}")
        goals = np.argwhere(grid == 9)
        if len(goals) != 1:
            raise ValueError(f"grid 里必须恰好有一个标为 9 的终点格子，找到了 {len(goals)} 个")
        self.grid = grid
        self.goal: State = (int(goals[0][0]), int(goals[0][1]))
        if not self.is_free(start):
            raise ValueError(f"起点 start {start} 在网格 {grid.shape} 之外，或者落在墙上")
        self.start: State = (int(start[0]), int(start[1]))
        self.goal_reward = goal_reward
        self.step_reward = step_reward

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = self.grid.shape  # 2-D: checked in __init__
        return rows, cols

    def is_free(self, state: State) -> bool:
        """Inside the grid (no negative-index wrap-around) and not a wall."""
        r, c = state
        return 0 <= r < self.grid.shape[0] and 0 <= c < self.grid.shape[1] and self.grid[r, c] != 1

    def step(self, state: State, action: int) -> tuple[State, float, bool]:
        """``(next_state, reward, done)`` after taking ``action`` (an index into ``ACTION_VECTORS``)."""
        if not 0 <= action < len(ACTION_VECTORS):
            raise ValueError(f"action 必须是 0..{len(ACTION_VECTORS) - 1}（{'/'.join(ACTION_NAMES)}），收到的是 {action}")
        dr, dc = ACTION_VECTORS[action]
        nxt = (state[0] + dr, state[1] + dc)
        if not self.is_free(nxt):
            nxt = state
        done = nxt == self.goal
        return nxt, (self.goal_reward if done else self.step_reward), done


def q_learning(
    maze: Maze,
    episodes: int = 300,
    alpha: float = 0.1,
    gamma: float = 0.9,
    epsilon: float = 0.2,
    max_steps: int = 200,
    seed: int = 0,
) -> tuple[np.ndarray, list[float]]:
    """Tabular Q-learning with ε-greedy exploration.

    Returns ``Q`` of shape ``(rows, cols, 4)`` and the return (sum of rewards) of each episode.
    ``Q[s, a] += alpha * (r + gamma * max_a' Q[s', a'] * (not done) - Q[s, a])``.
    Episodes end at the goal or after ``max_steps`` steps.
    """
    rng = np.random.default_rng(seed)
    q = np.zeros((*maze.shape, len(ACTION_VECTORS)))
    returns: list[float] = []
    for _ in range(episodes):
        state, total = maze.start, 0.0
        for _ in range(max_steps):
            if rng.random() < epsilon:
                action = int(rng.integers(len(ACTION_VECTORS)))
            else:
                action = int(np.argmax(q[state]))
            nxt, reward, done = maze.step(state, action)
            target = reward + (0.0 if done else gamma * q[nxt].max())
            q[state][action] += alpha * (target - q[state][action])
            total += reward
            state = nxt
            if done:
                break
        returns.append(total)
    return q, returns


def greedy_walk(maze: Maze, q: np.ndarray, max_steps: int | None = None) -> tuple[list[State], bool]:
    """Follow ``argmax Q`` from the start: ``(path, reached_goal)``.

    Stops at the goal, after ``max_steps`` (default: number of cells), or as soon as a state
    repeats (a deterministic greedy walk that repeats a state would loop forever).
    """
    if q.shape != (*maze.shape, len(ACTION_VECTORS)):
        raise ValueError(f"Q 的形状应该是 {(*maze.shape, len(ACTION_VECTORS))}，收到的是 {q.shape}")
    limit = maze.grid.size if max_steps is None else max_steps
    state, path = maze.start, [maze.start]
    for _ in range(limit):
        state, _, done = maze.step(state, int(np.argmax(q[state])))
        if state in path:
            return path, False
        path.append(state)
        if done:
            return path, True
    return path, state == maze.goal


def bfs_shortest_path(maze: Maze) -> list[State]:
    """A shortest path from start to goal (breadth-first search); ``ValueError`` if none exists."""
    parent: dict[State, State | None] = {maze.start: None}
    queue = deque([maze.start])
    while queue:
        state = queue.popleft()
        if state == maze.goal:
            path, previous = [state], parent[state]
            while previous is not None:
                path.append(previous)
                previous = parent[previous]
            return path[::-1]
        for dr, dc in ACTION_VECTORS:
            nxt = (state[0] + dr, state[1] + dc)
            if maze.is_free(nxt) and nxt not in parent:
                parent[nxt] = state
                queue.append(nxt)
    raise ValueError("从起点无法到达终点：墙挡住了所有的路")


def policy_arrows(maze: Maze, q: np.ndarray) -> list[list[str]]:
    """The greedy action in each cell as an arrow (``■`` wall, ``★`` goal)."""
    arrows = "↑↓←→"
    out = []
    for r in range(maze.shape[0]):
        row = []
        for c in range(maze.shape[1]):
            if maze.grid[r, c] == 1:
                row.append("■")
            elif (r, c) == maze.goal:
                row.append("★")
            else:
                row.append(arrows[int(np.argmax(q[r, c]))])
        out.append(row)
    return out


# ---------------------------------------------------------------- a CNN glimpse


def conv2d_single(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Slide ``kernel`` (kh, kw) over ``image`` (H, W), no padding, stride 1 → (H-kh+1, W-kw+1).

    Like every deep-learning library this is cross-correlation (the kernel is not flipped),
    so it equals ``F.conv2d(image[None, None], kernel[None, None])[0, 0]``.
    """
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image 和 kernel 都应该是二维的，收到的形状是 {image.shape} 和 {kernel.shape}")
    kh, kw = kernel.shape
    if kh > image.shape[0] or kw > image.shape[1]:
        raise ValueError(f"卷积核 kernel {kernel.shape} 比图像 image {image.shape} 还大")
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i : i + kh, j : j + kw] * kernel).sum()
    return out


def max_pool2d(feature_map: np.ndarray, size: int = 2) -> np.ndarray:
    """Largest value of each non-overlapping ``size``×``size`` window (H, W) → (H//size, W//size).

    Rows/columns that do not fill a whole window are dropped, as in ``F.max_pool2d``.
    """
    x = np.asarray(feature_map, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"feature_map 应该是二维的 (H, W)，收到的形状是 {x.shape}")
    if size < 1 or size > min(x.shape):
        raise ValueError(f"对形状为 {x.shape} 的特征图，size 必须在 1 到 {min(x.shape)} 之间，收到的是 {size}")
    h, w = x.shape[0] // size, x.shape[1] // size
    return x[: h * size, : w * size].reshape(h, size, w, size).max(axis=(1, 3))
