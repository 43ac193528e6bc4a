import numpy as np
import pytest
import torch
import torch.nn.functional as F

from forge_utils.paradigms import (
    ACTION_NAMES,
    ACTION_VECTORS,
    ANIMAL_RULES,
    MAZE_GRID,
    Maze,
    Rule,
    bfs_shortest_path,
    conv2d_single,
    forward_chain,
    greedy_walk,
    identify_animal,
    max_pool2d,
    policy_arrows,
    q_learning,
)

# ---------------------------------------------------------------- expert system


def test_zebra_chain_not_tiger():
    facts, steps = forward_chain(["有毛发", "有蹄", "黑条纹"])
    assert [s.conclusion for s in steps] == ["哺乳动物", "有蹄类", "斑马"]
    assert "老虎" not in facts  # the lecture's printed output was wrong
    assert identify_animal(["有毛发", "有蹄", "黑条纹"]) == ["斑马"]


def test_tiger_needs_carnivore_and_tawny():
    assert identify_animal(["有乳", "吃肉", "黄褐色", "黑条纹"]) == ["老虎"]
    assert identify_animal(["有毛发"]) == []


def test_chaining_needs_several_sweeps_when_rules_are_reversed():
    facts, steps = forward_chain(["有毛发", "有蹄", "黑条纹"], rules=ANIMAL_RULES[::-1])
    assert "斑马" in facts and len(steps) == 3


def test_rule_str():
    assert str(Rule(("有蹄类", "黑条纹"), "斑马")) == "有蹄类 + 黑条纹 → 斑马"


def test_expert_bad_input():
    with pytest.raises(TypeError, match="事实组成的列表"):
        forward_chain("有毛发")
    with pytest.raises(ValueError, match="请检查拼写"):
        forward_chain(["有毛"])
    facts, steps = forward_chain(["有毛", "有毛发"], strict=False)
    assert "哺乳动物" in facts


# ---------------------------------------------------------------- maze


def test_action_names_match_vectors():
    named = dict(zip(ACTION_NAMES, ACTION_VECTORS))
    assert named == {"上": (-1, 0), "下": (1, 0), "左": (0, -1), "右": (0, 1)}


def test_step_respects_walls_and_bounds():
    maze = Maze()
    up, down, left, right = range(4)
    assert maze.step((0, 0), up) == ((0, 0), -1.0, False)  # border: no wrap-around to row -1
    assert maze.step((0, 0), left) == ((0, 0), -1.0, False)
    assert maze.step((0, 2), right) == ((0, 2), -1.0, False)  # wall at (0, 3)
    assert maze.step((0, 0), down) == ((1, 0), -1.0, False)
    assert maze.step((3, 2), right) == ((3, 3), 100.0, True)
    with pytest.raises(ValueError, match=r"action 必须是 0\.\.3"):
        maze.step((0, 0), 4)


def test_bfs_shortest_path():
    path = bfs_shortest_path(Maze())
    assert path[0] == (0, 0) and path[-1] == (3, 3) and len(path) - 1 == 6
    blocked = MAZE_GRID.copy()
    blocked[2, 2] = blocked[3, 2] = 1
    with pytest.raises(ValueError, match="无法到达终点"):
        bfs_shortest_path(Maze(blocked))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_q_learning_finds_a_shortest_path(seed):
    maze = Maze()
    q, returns = q_learning(maze, episodes=300, seed=seed)
    path, reached = greedy_walk(maze, q)
    assert reached and len(path) == len(bfs_shortest_path(maze))
    assert all(maze.is_free(s) for s in path)
    assert np.mean(returns[-50:]) > np.mean(returns[:10])


def test_greedy_walk_is_bounded_on_a_looping_policy():
    maze = Maze()
    q = np.zeros((4, 4, 4))  # argmax = 上 everywhere: bumps the top border forever
    path, reached = greedy_walk(maze, q)
    assert not reached and path == [(0, 0)]
    with pytest.raises(ValueError, match="Q 的形状应该是"):
        greedy_walk(maze, np.zeros((4, 4)))


def test_policy_arrows_marks_walls_and_goal():
    arrows = policy_arrows(Maze(), np.zeros((4, 4, 4)))
    assert arrows[0][3] == "■" and arrows[3][3] == "★" and arrows[0][0] == "↑"


def test_maze_bad_input():
    with pytest.raises(ValueError, match="终点格子"):
        Maze(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="落在墙上"):
        Maze(start=(0, 3))


# ---------------------------------------------------------------- CNN glimpse


def test_conv_and_pool_match_torch():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 3))
    want = F.conv2d(torch.tensor(image)[None, None], torch.tensor(kernel)[None, None])[0, 0].numpy()
    assert np.allclose(conv2d_single(image, kernel), want)
    fmap = rng.normal(size=(5, 6))
    want = F.max_pool2d(torch.tensor(fmap)[None, None], 2)[0, 0].numpy()
    assert np.allclose(max_pool2d(fmap, 2), want)
    assert max_pool2d(np.array([[1, 3], [2, 4]])).tolist() == [[4.0]]


def test_conv_and_pool_bad_input():
    with pytest.raises(ValueError, match="都应该是二维的"):
        conv2d_single(np.zeros((2, 3, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="比图像 image .* 还大"):
        conv2d_single(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="size 必须在 1 到 2 之间"):
        max_pool2d(np.zeros((2, 2)), 3)
