package render

import "strconv"

// GroupCount is how many visible members of a roster group are online
// (docs/API.md#rich-presence).
type GroupCount struct {
	Group  string
	Online int
	Total  int
}

// GroupBadge renders a group's badge: label the group's name (unless o
// says otherwise), message "3/12 online", brightgreen while anyone is
// online and lightgrey when nobody is (o.Color overrides both).
func GroupBadge(g GroupCount, o Options, f Format) Image {
	return drawSpec(groupSpec(g, o), o.scale(f), f)
}

// Group is the cached form of GroupBadge.
func (c *Cache) Group(g GroupCount, o Options, f Format) Image {
	return c.badge(groupSpec(g, o), o.scale(f), f)
}

func groupSpec(g GroupCount, o Options) spec {
	return o.descSpec(DescribeGroup(g, o))
}

// DescribeGroup says what a group's badge looks like under o, as Describe
// does for a JID or room: label the group, message "3/12 online", colour
// that of available while anyone is online and of offline when nobody is,
// unless the query's color= says otherwise.
func DescribeGroup(g GroupCount, o Options) Description {
	n, total := max(g.Online, 0), max(g.Total, 0)
	return countDescription(o.label(g.Group), strconv.Itoa(n)+"/"+strconv.Itoa(total)+" online", n, o)
}
