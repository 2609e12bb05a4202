"""A positive-action plan's groups are called what the equality statistics call them: one
set of words, kept twice only because vacancies/ imports no other app."""

from recruitment.monitoring.groups import group_label
from vacancies.models import POSITIVE_ACTION_GROUP_LABELS, POSITIVE_ACTION_GROUPS


def test_every_group_a_plan_may_name_has_the_statistics_words():
    for characteristic, groups in POSITIVE_ACTION_GROUPS.items():
        assert set(POSITIVE_ACTION_GROUP_LABELS[characteristic]) == set(groups), characteristic
        for group in groups:
            ours = POSITIVE_ACTION_GROUP_LABELS[characteristic][group]
            if characteristic == "gender_identity":
                assert ours == "Trans"  # the statistics count "different from sex at birth"
            else:
                assert ours == group_label(characteristic, group), (characteristic, group)
