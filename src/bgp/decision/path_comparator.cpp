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
  int verdict = 0;
  for (uint8_t s = 0; s <= static_cast<uint8_t>(last) && s < static_cast<uint8_t>(DecisionStep::equal); ++s) {
    const auto step = static_cast<DecisionStep>(s);
    switch (step) {
      case DecisionStep::locally_originated:  // deviation 1
        verdict = higher_wins(a.peer.local, b.peer.local);
        break;
      case DecisionStep::local_pref:  // §9.1.1 / §9.1.2.2 (a)
        verdict = higher_wins(ka.has_local_pref ? ka.local_pref : config.default_local_pref,
                              kb.has_local_pref ? kb.local_pref : config.default_local_pref);
        break;
      case DecisionStep::as_path_length:  // §9.1.2.2 (a)
        verdict = lower_wins(ka.as_path_length, kb.as_path_length);
        break;
      case DecisionStep::origin:  // §9.1.2.2 (b)
        verdict = lower_wins(static_cast<uint8_t>(ka.origin), static_cast<uint8_t>(kb.origin));
        break;
      case DecisionStep::med:  // §9.1.2.2 (c): a missing MED is 0
        if (config.always_compare_med || ka.neighbor_as == kb.neighbor_as)
          verdict = lower_wins(ka.med, kb.med);
        break;
      case DecisionStep::ebgp_over_ibgp:  // §9.1.2.2 (d)
        verdict = higher_wins(a.peer.ebgp, b.peer.ebgp);
        break;
      case DecisionStep::igp_cost:  // §9.1.2.2 (e)
        verdict = lower_wins(a.igp_cost, b.igp_cost);
        break;
      case DecisionStep::router_id:  // §9.1.2.2 (f), RFC 4456 §9
        verdict = lower_wins(ka.has_originator_id ? ka.originator_id : a.peer.router_id,
                             kb.has_originator_id ? kb.originator_id : b.peer.router_id);
        break;
      case DecisionStep::cluster_list_length:  // RFC 4456 §9
        verdict = lower_wins(ka.cluster_list_length, kb.cluster_list_length);
        break;
      case DecisionStep::peer_address:  // §9.1.2.2 (g)
        verdict = lower_wins(a.peer.address, b.peer.address);
        break;
      case DecisionStep::equal:
        break;
    }
    if (verdict != 0) return {verdict, step};
  }
  return {0, DecisionStep::equal};
}

}  // namespace halink::bgp
