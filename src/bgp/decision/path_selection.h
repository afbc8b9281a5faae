// Best path and multipath set for one prefix.
//
// The comparator (path_comparator.h) is applied the way RFC 4271 §9.1.2.2
// describes it — as eliminations over the whole candidate set — because the
// MED step only compares some pairs and a plain sort would then depend on
// the order paths arrived in:
//   1. drop paths whose next hop is unresolvable (§9.1.2 (1)), and stale
//      paths of a session that went down (their withdrawal is pending);
//   2. keep the paths best through LOCAL_PREF, AS_PATH length and ORIGIN;
//   3. among those, drop every path that a path from the same neighbouring
//      AS beats on MED;
//   4. the best of the rest by the remaining steps is the best path;
//   5. the rest equal to it through the IGP-cost step form the multipath set
//      (eBGP: same neighbouring AS unless multipath_relax), best first and
//      the others in comparator order, at most max_paths.
#pragma once

#include <cstddef>

#include "bgp/decision/decision_config.h"
#include "bgp/rib/loc_rib.h"
#include "bgp/rib/path_list.h"
#include "bgp/rib/peer.h"

namespace halink::bgp {

// Reorders `paths` so that [0] is the best path and [0, k) the multipath
// set, records k in the list and returns it (0: no usable path). Stale paths
// (of a peer session that went down, see loc_rib.h) are not candidates.
size_t select_paths(PathList& paths, Family family, const PeerTable& peers, const DecisionConfig& config,
                    const LocRib& rib);

// What adding one path did to a selection (see select_added_path).
enum class AddedPath : uint8_t {
  unknown,          // not decided from the added path alone: run select_paths()
  not_selected,     // neither the best path nor a multipath member; nothing changed
  joined_multipath  // a new multipath member; the best path and the other members stay
};

// The last path of `paths` was just added (a peer's first path to the
// prefix) to a list selected by select_paths() before. When the outcome
// follows from comparing the new path with the best one, applies it to the
// list (a new member moves into the multipath set in comparator order) and
// says which it was; otherwise leaves the list alone and returns unknown.
// This is select_paths()' result without its full pass: a full table from
// several peers adds every prefix's second to last paths this way.
AddedPath select_added_path(PathList& paths, Family family, const PeerTable& peers, const DecisionConfig& config,
                            const LocRib& rib);

// What removing one path does to a selection (see prepare_removal).
enum class RemovedPath : uint8_t {
  unknown,        // not decided in place: remove it, then run select_paths()
  not_selected,   // it was neither the best path nor a member; nothing changes
  left_multipath  // it was a multipath member; the best path and the others stay
};

// `paths[index]` is to be removed from a list selected by select_paths()
// before. When the selection without it is known from its place, moves it
// to the end of the list (the others keep their order), sets the multipath
// count the list will have without it and says which case it was; the
// caller then removes the last path. Otherwise (the best path itself, or a
// member whose place a path left out by max_paths could take) changes
// nothing and returns unknown.
RemovedPath prepare_removal(PathList& paths, size_t index, Family family, const DecisionConfig& config,
                            const LocRib& rib);

// The forwarding address of a path: NEXT_HOP, or for IPv6 the link-local
// next hop of MP_REACH when no global one was given (RFC 2545 §3).
IpAddress forwarding_address(const PathAttributes& attributes);
inline IpAddress forwarding_address(const AttrSetRef& attributes) { return attributes.forwarding_address(); }

}  // namespace halink::bgp
