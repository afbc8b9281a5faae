#include "bgp/decision/path_comparator.h"

namespace halink::bgp {
namespace {

// -1 when `a` wins by being lower, +1 when `b` does, 0 when equal.
template <class T>
int lower_wins(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}
template <class T>
int higher_wins(T a, T b) {
  return -lower_wins(a, b);
}

}  // namespace

const char* decision_step_name(DecisionStep step) {
  switch (step) {
    case DecisionStep::locally_originated: return "locally-originated";
    case DecisionStep::local_pref: return "local-pref";
    case DecisionStep::as_path_length: return "as-path-length";
    case DecisionStep::origin: return "origin";
    case DecisionStep::med: return "med";
    case DecisionStep::ebgp_over_ibgp: return "ebgp-over-ibgp";
    case DecisionStep::igp_cost: return "igp-cost";
    case DecisionStep::router_id: return "router-id";
    case DecisionStep::cluster_list_length: return "cluster-list-length";
    case DecisionStep::peer_address: return "peer-address";
    case DecisionStep::equal: return "equal";
  }
  return "?";
}

PathComparison compare_paths(const PathView& a, const PathView& b, const DecisionConfig& config,
                             DecisionStep last) {
  const DecisionKey& ka = a.attributes;
  const DecisionKey& kb = b.attributes;
  // Straight-line on purpose: this runs for every pair a selection looks at.
  int verdict = 0;
  auto decided = [&](DecisionStep step, int v) {
    verdict = step <= last ? v : 0;
    return verdict != 0 || step >= last;
  };
  // Deviation 1: our own routes first.
  if (decided(DecisionStep::locally_originated, higher_wins(a.peer.local, b.peer.local)))
    return {verdict, verdict ? DecisionStep::locally_originated : DecisionStep::equal};
  // §9.1.1 / §9.1.2.2 (a): degree of preference.
  if (decided(DecisionStep::local_pref,
              higher_wins(ka.has_local_pref ? ka.local_pref : config.default_local_pref,
                          kb.has_local_pref ? kb.local_pref : config.default_local_pref)))
    return {verdict, verdict ? DecisionStep::local_pref : DecisionStep::equal};
  // §9.1.2.2 (a): AS_PATH length.
  if (decided(DecisionStep::as_path_length, lower_wins(ka.as_path_length, kb.as_path_length)))
    return {verdict, verdict ? DecisionStep::as_path_length : DecisionStep::equal};
  // §9.1.2.2 (b): ORIGIN.
  if (decided(DecisionStep::origin, lower_wins(static_cast<uint8_t>(ka.origin), static_cast<uint8_t>(kb.origin))))
    return {verdict, verdict ? DecisionStep::origin : DecisionStep::equal};
  // §9.1.2.2 (c): MED, same neighbouring AS only; a missing MED is 0.
  const bool med_comparable = config.always_compare_med || ka.neighbor_as == kb.neighbor_as;
  if (decided(DecisionStep::med, med_comparable ? lower_wins(ka.med, kb.med) : 0))
    return {verdict, verdict ? DecisionStep::med : DecisionStep::equal};
  // §9.1.2.2 (d): eBGP over iBGP.
  if (decided(DecisionStep::ebgp_over_ibgp, higher_wins(a.peer.ebgp, b.peer.ebgp)))
    return {verdict, verdict ? DecisionStep::ebgp_over_ibgp : DecisionStep::equal};
  // §9.1.2.2 (e): interior cost to the next hop.
  if (decided(DecisionStep::igp_cost, lower_wins(a.igp_cost, b.igp_cost)))
    return {verdict, verdict ? DecisionStep::igp_cost : DecisionStep::equal};
  // §9.1.2.2 (f), RFC 4456 §9: BGP Identifier, or ORIGINATOR_ID when reflected.
  if (decided(DecisionStep::router_id,
              lower_wins(ka.has_originator_id ? ka.originator_id : a.peer.router_id,
                         kb.has_originator_id ? kb.originator_id : b.peer.router_id)))
    return {verdict, verdict ? DecisionStep::router_id : DecisionStep::equal};
  // RFC 4456 §9: shorter CLUSTER_LIST.
  if (decided(DecisionStep::cluster_list_length, lower_wins(ka.cluster_list_length, kb.cluster_list_length)))
    return {verdict, verdict ? DecisionStep::cluster_list_length : DecisionStep::equal};
  // §9.1.2.2 (g): peer address.
  decided(DecisionStep::peer_address, lower_wins(a.peer.address, b.peer.address));
  return {verdict, verdict ? DecisionStep::peer_address : DecisionStep::equal};
}

}  // namespace halink::bgp
