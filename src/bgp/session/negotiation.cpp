#include "bgp/session/negotiation.h"

#include <algorithm>

namespace halink::bgp {
namespace {

constexpr uint8_t bgp_version = 4;

OpenRejection reject(uint8_t subcode, std::string reason, std::vector<uint8_t> data = {}) {
  return OpenRejection{Notification{error_code::open_message, subcode, std::move(data)}, std::move(reason)};
}

std::string as_text(uint32_t asn) { return "AS" + std::to_string(asn); }

std::string id_text(uint32_t id) {
  return std::to_string(id >> 24) + "." + std::to_string((id >> 16) & 0xFF) + "." +
         std::to_string((id >> 8) & 0xFF) + "." + std::to_string(id & 0xFF);
}

// The families a side announced; none means IPv4 unicast (RFC 4760 §1).
std::vector<AfiSafi> announced_families(const Capabilities& caps) {
  if (caps.multiprotocol.empty()) return {AfiSafi::unicast(Family::ipv4)};
  return caps.multiprotocol;
}

bool announced(const Capabilities& caps, uint8_t code) {
  switch (code) {
    case capability_code::multiprotocol: return !caps.multiprotocol.empty();
    case capability_code::route_refresh: return caps.route_refresh;
    case capability_code::extended_message: return caps.extended_message;
    case capability_code::graceful_restart: return caps.graceful_restart.has_value();
    case capability_code::four_octet_as: return caps.four_octet_as.has_value();
    case capability_code::add_path: return !caps.add_path.empty();
    case capability_code::enhanced_route_refresh: return caps.enhanced_route_refresh;
    case capability_code::fqdn: return caps.hostname.has_value();
    default:
      return std::any_of(caps.unknown.begin(), caps.unknown.end(),
                         [code](const UnknownCapability& c) { return c.code == code; });
  }
}

const AddPath* find_add_path(const std::vector<AddPath>& list, AfiSafi family) {
  for (const AddPath& a : list)
    if (a.afi_safi == family) return &a;
  return nullptr;
}

}  // namespace

Status SessionConfig::validate() const {
  if (local_as == 0) return Error{"local AS must be set (AS 0 is reserved, RFC 7607)"};
  if (remote_as == 0) return Error{"remote AS must be set (AS 0 is reserved, RFC 7607)"};
  if (router_id == 0) return Error{"router id must be non-zero (RFC 6286)"};
  if (local_as > 0xFFFF && !four_octet_as)
    return Error{"local AS " + std::to_string(local_as) + " needs the 4-octet AS capability (RFC 6793)"};
  if (hold_time < Duration::zero() || hold_time > Duration::seconds(0xFFFF) ||
      (!hold_time.is_zero() && hold_time < Duration::seconds(3)))
    return Error{"hold time must be 0 or between 3 and 65535 seconds (RFC 4271 §4.2)"};
  if (hold_time.ns() % Duration::seconds(1).ns() != 0) return Error{"hold time must be whole seconds"};
  if (keepalive && !hold_time.is_zero() && *keepalive <= Duration::zero())
    return Error{"keepalive must be positive when the hold time is not 0"};
  if (min_hold_time < Duration::zero() || min_hold_time > Duration::seconds(0xFFFF))
    return Error{"minimum hold time must be between 0 and 65535 seconds"};
  if (!hold_time.is_zero() && min_hold_time > hold_time)
    return Error{"minimum hold time " + min_hold_time.to_string() + " is larger than the hold time " +
                 hold_time.to_string()};
  if (open_hold_time <= Duration::zero()) return Error{"open hold time must be positive"};
  if (connect_retry <= Duration::zero()) return Error{"connect retry time must be positive"};
  if (idle_hold.initial < Duration::zero() || idle_hold.maximum < idle_hold.initial)
    return Error{"idle hold back-off needs 0 <= initial <= maximum"};
  if (delay_open && *delay_open <= Duration::zero()) return Error{"delay open time must be positive"};
  return Status::success();
}

bool Negotiated::has_family(AfiSafi family) const {
  return std::find(families.begin(), families.end(), family) != families.end();
}

std::string Negotiated::to_string() const {
  std::string out = "hold " + hold_time.to_string() + " keepalive " + keepalive_time.to_string() + ", families";
  if (families.empty()) out += " none";
  for (const AfiSafi& f : families) out += " " + f.to_string();
  if (four_octet_as) out += ", 4-octet AS";
  if (route_refresh) out += ", route refresh";
  if (enhanced_route_refresh) out += ", enhanced route refresh";
  if (extended_message) out += ", extended message";
  for (const AddPath& a : add_path) {
    out += ", add-path " + a.afi_safi.to_string();
    if (a.receive) out += " receive";
    if (a.send) out += " send";
  }
  if (peer_graceful_restart) out += ", graceful restart";
  return out;
}

OpenMessage build_open(const SessionConfig& config) {
  OpenMessage open;
  open.version = bgp_version;
  open.my_as = config.local_as > 0xFFFF ? static_cast<uint16_t>(as_trans) : static_cast<uint16_t>(config.local_as);
  open.hold_time = static_cast<uint16_t>(config.hold_time.s());
  open.bgp_identifier = config.router_id;
  Capabilities& caps = open.capabilities;
  caps.multiprotocol = config.families;
  if (config.four_octet_as) caps.four_octet_as = config.local_as;
  caps.route_refresh = config.route_refresh;
  caps.enhanced_route_refresh = config.enhanced_route_refresh;
  caps.extended_message = config.extended_message;
  caps.graceful_restart = config.graceful_restart;
  caps.add_path = config.add_path;
  return open;
}

Duration keepalive_interval(Duration hold_time, std::optional<Duration> configured) {
  if (hold_time.is_zero()) return Duration::zero();
  const Duration third = hold_time / 3;
  return configured && *configured > Duration::zero() ? std::min(*configured, third) : third;
}

std::variant<Negotiated, OpenRejection> negotiate(const SessionConfig& config, const OpenMessage& sent,
                                                  const OpenMessage& received) {
  // RFC 4271 §6.2, in its order: version, peer AS, hold time, identifier, parameters.
  if (received.version != bgp_version)
    return reject(open_subcode::unsupported_version,
                  "peer speaks BGP version " + std::to_string(received.version) + ", we speak 4",
                  {0, bgp_version});  // Data: the largest version we support

  if (received.my_as == 0) return reject(open_subcode::bad_peer_as, "peer announced AS 0 (RFC 7607)");
  // RFC 6793 §4.1: a speaker that announced the capability is a 4-octet
  // speaker and its AS is in the capability; without our own capability we
  // must see the peer as a 2-octet speaker (AS_TRANS in My AS).
  bool peer_four_octet = config.four_octet_as && received.capabilities.four_octet_as.has_value();
  uint32_t peer_as = peer_four_octet ? *received.capabilities.four_octet_as : received.my_as;
  if (peer_four_octet && (peer_as == 0 || peer_as == as_trans))
    return reject(open_subcode::bad_peer_as,
                  "peer announced " + as_text(peer_as) + " in the 4-octet AS capability (RFC 6793 §4.1, RFC 7607)");
  if (peer_as != config.remote_as) {
    std::string reason = "peer is " + as_text(peer_as) + ", expected " + as_text(config.remote_as);
    if (!peer_four_octet && peer_as == as_trans) reason += " (AS_TRANS: the peer sent no 4-octet AS capability)";
    return reject(open_subcode::bad_peer_as, reason);
  }

  if (received.hold_time == 1 || received.hold_time == 2)
    return reject(open_subcode::unacceptable_hold_time,
                  "peer proposed hold time " + std::to_string(received.hold_time) + "s (RFC 4271 §4.2: 0 or >= 3)");
  Duration peer_hold = Duration::seconds(received.hold_time);
  if (!config.min_hold_time.is_zero() && (peer_hold.is_zero() || peer_hold < config.min_hold_time))
    return reject(open_subcode::unacceptable_hold_time, "peer proposed hold time " + peer_hold.to_string() +
                                                            ", below our minimum " + config.min_hold_time.to_string());

  // RFC 6286 §2.2: zero is never valid; our own identifier only within one AS.
  if (received.bgp_identifier == 0) return reject(open_subcode::bad_bgp_identifier, "peer's BGP identifier is 0");
  if (config.ibgp() && received.bgp_identifier == config.router_id)
    return reject(open_subcode::bad_bgp_identifier,
                  "iBGP peer uses our own BGP identifier " + id_text(config.router_id) + " (RFC 6286 §2.2)");

  if (!received.other_parameters.empty())
    return reject(open_subcode::unsupported_optional_parameter,
                  "peer sent optional parameter type " + std::to_string(received.other_parameters.front().first),
                  {received.other_parameters.front().first});

  // RFC 5492 §3: the Data field lists the capabilities we miss.
  std::vector<uint8_t> missing;
  std::string missing_text;
  for (uint8_t code : config.required_capabilities) {
    if (announced(received.capabilities, code)) continue;
    missing.push_back(code);
    missing.push_back(0);
    missing_text += (missing_text.empty() ? "" : ", ") + std::to_string(code);
  }
  if (!missing.empty())
    return reject(open_subcode::unsupported_capability,
                  "peer did not announce required capabilit" + std::string(missing.size() > 2 ? "ies " : "y ") +
                      missing_text,
                  std::move(missing));

  Negotiated n;
  n.local_as = config.local_as;
  n.remote_as = peer_as;
  n.remote_id = received.bgp_identifier;
  n.hold_time = std::min(Duration::seconds(sent.hold_time), peer_hold);
  n.keepalive_time = keepalive_interval(n.hold_time, config.keepalive);
  const Capabilities& ours = sent.capabilities;
  const Capabilities& theirs = received.capabilities;
  std::vector<AfiSafi> peer_families = announced_families(theirs);
  for (const AfiSafi& f : announced_families(ours))
    if (std::find(peer_families.begin(), peer_families.end(), f) != peer_families.end()) n.families.push_back(f);
  n.four_octet_as = ours.four_octet_as.has_value() && peer_four_octet;
  n.route_refresh = ours.route_refresh && theirs.route_refresh;
  n.enhanced_route_refresh = ours.enhanced_route_refresh && theirs.enhanced_route_refresh;
  n.extended_message = ours.extended_message && theirs.extended_message;
  for (const AddPath& offer : ours.add_path) {
    const AddPath* peer = find_add_path(theirs.add_path, offer.afi_safi);
    if (!peer || !n.has_family(offer.afi_safi)) continue;
    AddPath agreed{offer.afi_safi, offer.receive && peer->send, offer.send && peer->receive};
    if (agreed.receive) n.codec.add_path_receive.push_back(agreed.afi_safi);
    if (agreed.send) n.codec.add_path_send.push_back(agreed.afi_safi);
    if (agreed.receive || agreed.send) n.add_path.push_back(agreed);
  }
  if (ours.graceful_restart && theirs.graceful_restart) n.peer_graceful_restart = theirs.graceful_restart;
  n.codec.four_octet_as = n.four_octet_as;
  n.codec.extended_message = n.extended_message;
  n.codec.ibgp = n.ibgp();
  n.received_open = received;
  return n;
}

}  // namespace halink::bgp
