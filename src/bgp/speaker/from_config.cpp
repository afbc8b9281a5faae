#include "bgp/speaker/from_config.h"

#include <algorithm>

namespace halink::bgp {

SpeakerConfig speaker_config_from(const config::RouterConfig& router) {
  SpeakerConfig c;
  c.local_as = router.local_as;
  c.router_id = router.router_id.is_v4() ? router.router_id.v4_host_order() : 0;
  c.networks = router.networks;
  c.decision.multipath_relax = router.ecmp.multipath_relax;
  uint16_t paths = uint16_t(std::min<uint32_t>(router.ecmp.max_paths, 64));
  c.decision.max_paths_ipv4 = paths;
  c.decision.max_paths_ipv6 = paths;
  return c;
}

NeighborSettings neighbor_settings_from(const config::RouterConfig& router, const config::Neighbor& neighbor) {
  NeighborSettings s;
  s.name = neighbor.name;
  s.address = neighbor.address;
  s.interface = neighbor.interface;
  s.session.local_as = router.local_as;
  s.session.router_id = router.router_id.is_v4() ? router.router_id.v4_host_order() : 0;
  s.session.remote_as = neighbor.remote_as;
  s.session.hold_time = neighbor.hold_time;
  s.session.keepalive = neighbor.keepalive;
  s.session.connect_retry = neighbor.connect_retry;
  s.session.idle_hold.maximum = neighbor.idle_hold_max;
  s.session.passive = neighbor.passive;
  s.session.families.clear();
  for (config::BgpFamily f : neighbor.families)
    s.session.families.push_back(AfiSafi::unicast(f == config::BgpFamily::ipv6_unicast ? Family::ipv6 : Family::ipv4));
  if (s.session.families.empty()) s.session.families.push_back(AfiSafi::unicast(neighbor.address.family()));
  s.policy = neighbor.policy;
  s.local_address = neighbor.update_source;
  s.next_hop_self = neighbor.next_hop_self;
  s.shutdown = neighbor.shutdown;
  s.soft_reconfiguration_inbound = neighbor.soft_reconfiguration_inbound;
  return s;
}

}  // namespace halink::bgp
