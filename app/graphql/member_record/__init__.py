"""A party member's record (党员档案) in the accountability view: attendance, pioneer posts,
commitments, responsibilities, rewards and restraints over a span of days."""
