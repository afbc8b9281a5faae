// BGP-4 messages as values (RFC 4271 §4) and their codec.
//
// Decoding never throws and never trusts a length: every malformation maps to
// exactly one RFC 7606 outcome (see update_codec.h) or to the NOTIFICATION
// RFC 4271 §6 prescribes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "bgp/wire/attributes.h"
#include "core/ip.h"

namespace halink::bgp {

constexpr size_t header_size = 19;
constexpr size_t max_message_size = 4096;            // RFC 4271 §4.1
constexpr size_t extended_max_message_size = 65535;  // RFC 8654

enum class MessageType : uint8_t { open = 1, update = 2, notification = 3, keepalive = 4, route_refresh = 5 };
const char* message_type_name(uint8_t type);

// Address family identifiers (RFC 4760). Values not listed are kept as numbers.
namespace afi {
constexpr uint16_t ipv4 = 1;
constexpr uint16_t ipv6 = 2;
}  // namespace afi
namespace safi {
constexpr uint8_t unicast = 1;
}  // namespace safi

struct AfiSafi {
  uint16_t afi = afi::ipv4;
  uint8_t safi = safi::unicast;
  auto operator<=>(const AfiSafi&) const = default;
  bool is_unicast() const { return safi == safi::unicast && (afi == afi::ipv4 || afi == afi::ipv6); }
  Family family() const { return afi == afi::ipv6 ? Family::ipv6 : Family::ipv4; }
  static AfiSafi unicast(Family f) { return {f == Family::ipv6 ? afi::ipv6 : afi::ipv4, safi::unicast}; }
  std::string to_string() const;  // "ipv4-unicast", "afi 25 safi 70"
};

// ---- OPEN (RFC 4271 §4.2) and capabilities (RFC 5492) ----

namespace capability_code {
constexpr uint8_t multiprotocol = 1;           // RFC 4760
constexpr uint8_t route_refresh = 2;           // RFC 2918
constexpr uint8_t extended_message = 6;        // RFC 8654
constexpr uint8_t graceful_restart = 64;       // RFC 4724
constexpr uint8_t four_octet_as = 65;          // RFC 6793
constexpr uint8_t add_path = 69;               // RFC 7911
constexpr uint8_t enhanced_route_refresh = 70; // RFC 7313
constexpr uint8_t fqdn = 73;                   // draft-walton-bgp-hostname-capability
}  // namespace capability_code

struct GracefulRestart {  // RFC 4724 §3
  bool restart_state = false;  // R bit
  bool notification = false;   // N bit (RFC 8538)
  uint16_t restart_time = 0;   // seconds, 12 bits
  struct Family {
    AfiSafi afi_safi;
    bool forwarding_preserved = false;
    bool operator==(const Family&) const = default;
  };
  std::vector<Family> families;
  bool operator==(const GracefulRestart&) const = default;
};

struct AddPath {  // RFC 7911 §4
  AfiSafi afi_safi;
  bool receive = false;
  bool send = false;
  bool operator==(const AddPath&) const = default;
};

struct UnknownCapability {
  uint8_t code = 0;
  std::vector<uint8_t> value;
  bool operator==(const UnknownCapability&) const = default;
};

struct Capabilities {
  std::vector<AfiSafi> multiprotocol;
  std::optional<uint32_t> four_octet_as;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  bool extended_message = false;
  std::optional<GracefulRestart> graceful_restart;
  std::vector<AddPath> add_path;
  std::optional<std::string> hostname;  // FQDN capability
  std::optional<std::string> domain_name;
  std::vector<UnknownCapability> unknown;
  bool operator==(const Capabilities&) const = default;
};

struct OpenMessage {
  uint8_t version = 4;
  uint16_t my_as = 0;  // AS_TRANS when the real ASN needs 4 octets
  uint16_t hold_time = 0;
  uint32_t bgp_identifier = 0;  // host order
  Capabilities capabilities;
  // Optional parameters other than capabilities (type != 2), kept as bytes.
  std::vector<std::pair<uint8_t, std::vector<uint8_t>>> other_parameters;
  bool operator==(const OpenMessage&) const = default;

  // The speaker's real AS: the 4-octet capability if present, else my_as.
  uint32_t effective_as() const { return capabilities.four_octet_as.value_or(my_as); }
};

// ---- UPDATE (RFC 4271 §4.3, RFC 4760) ----

// NLRI of one family; path ids are present only when ADD-PATH receive is
// negotiated for it (RFC 7911 §3), and then match `prefixes` one to one.
struct NlriList {
  std::vector<Prefix> prefixes;
  std::vector<uint32_t> path_ids;
  bool empty() const { return prefixes.empty(); }
  bool operator==(const NlriList&) const = default;
};

// MP_REACH_NLRI / MP_UNREACH_NLRI of a family halink does not route
// (flowspec, VPN, EVPN, ...): framed, identified, kept as bytes.
struct UnsupportedFamily {
  AfiSafi afi_safi;
  bool reach = true;
  std::vector<uint8_t> value;  // the attribute value
  bool operator==(const UnsupportedFamily&) const = default;
};

struct Update {
  NlriList withdrawn;            // IPv4 unicast, Withdrawn Routes field
  PathAttributes attributes;     // next_hop holds the MP_REACH next hop for IPv6
  NlriList nlri;                 // IPv4 unicast, NLRI field
  // RFC 4760: the family of MP_REACH (announced) and MP_UNREACH (withdrawn).
  std::optional<AfiSafi> mp_reach_family;
  NlriList mp_nlri;
  std::optional<AfiSafi> mp_unreach_family;
  NlriList mp_withdrawn;
  std::vector<UnsupportedFamily> unsupported;
  bool operator==(const Update&) const = default;

  // End-of-RIB (RFC 4724 §2): an empty UPDATE for IPv4 unicast, an UPDATE
  // with only an empty MP_UNREACH_NLRI for other families.
  static Update end_of_rib(AfiSafi family);
  std::optional<AfiSafi> end_of_rib_family() const;
};

// ---- NOTIFICATION (RFC 4271 §4.5, §6) ----

namespace error_code {
constexpr uint8_t message_header = 1;
constexpr uint8_t open_message = 2;
constexpr uint8_t update_message = 3;
constexpr uint8_t hold_timer_expired = 4;
constexpr uint8_t fsm = 5;  // RFC 6608 subcodes
constexpr uint8_t cease = 6;  // RFC 4486 subcodes
constexpr uint8_t route_refresh = 7;  // RFC 7313
}  // namespace error_code

namespace header_subcode {
constexpr uint8_t connection_not_synchronized = 1;
constexpr uint8_t bad_message_length = 2;
constexpr uint8_t bad_message_type = 3;
}  // namespace header_subcode

namespace open_subcode {
constexpr uint8_t unsupported_version = 1;
constexpr uint8_t bad_peer_as = 2;
constexpr uint8_t bad_bgp_identifier = 3;
constexpr uint8_t unsupported_optional_parameter = 4;
constexpr uint8_t unacceptable_hold_time = 6;
constexpr uint8_t unsupported_capability = 7;  // RFC 5492
constexpr uint8_t role_mismatch = 11;          // RFC 9234
}  // namespace open_subcode

namespace update_subcode {
constexpr uint8_t malformed_attribute_list = 1;
constexpr uint8_t unrecognized_well_known_attribute = 2;
constexpr uint8_t missing_well_known_attribute = 3;
constexpr uint8_t attribute_flags_error = 4;
constexpr uint8_t attribute_length_error = 5;
constexpr uint8_t invalid_origin_attribute = 6;
constexpr uint8_t invalid_next_hop_attribute = 8;
constexpr uint8_t optional_attribute_error = 9;
constexpr uint8_t invalid_network_field = 10;
constexpr uint8_t malformed_as_path = 11;
}  // namespace update_subcode

namespace cease_subcode {  // RFC 4486
constexpr uint8_t max_prefixes = 1;
constexpr uint8_t administrative_shutdown = 2;
constexpr uint8_t peer_deconfigured = 3;
constexpr uint8_t administrative_reset = 4;
constexpr uint8_t connection_rejected = 5;
constexpr uint8_t other_configuration_change = 6;
constexpr uint8_t connection_collision_resolution = 7;
constexpr uint8_t out_of_resources = 8;
constexpr uint8_t hard_reset = 9;  // RFC 8538
constexpr uint8_t bfd_down = 10;   // RFC 9384
}  // namespace cease_subcode

struct Notification {
  uint8_t code = 0;
  uint8_t subcode = 0;
  std::vector<uint8_t> data;
  bool operator==(const Notification&) const = default;

  // RFC 9003: Cease/Administrative Shutdown or Reset with a UTF-8 message.
  static Notification cease(uint8_t subcode, const std::string& shutdown_communication = {});
  // The RFC 9003 message if this NOTIFICATION carries one (and it is valid).
  std::optional<std::string> shutdown_communication() const;
  // "Cease / Administrative Shutdown: \"maintenance\"",
  // "UPDATE Message Error / Malformed AS_PATH (data 0203...)".
  std::string describe() const;
};
const char* error_code_name(uint8_t code);
const char* error_subcode_name(uint8_t code, uint8_t subcode);  // "" when unknown

struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

struct RouteRefresh {  // RFC 2918, subtypes RFC 7313 §3.2
  enum Subtype : uint8_t { normal = 0, begin_of_rib = 1, end_of_rib = 2 };
  AfiSafi afi_safi;
  uint8_t subtype = normal;
  bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<OpenMessage, Update, Notification, Keepalive, RouteRefresh>;

// What a session negotiated that changes how bytes are read and written.
struct CodecContext {
  bool four_octet_as = true;       // RFC 6793: both sides announced the capability
  bool extended_message = false;   // RFC 8654: both sides announced it
  std::vector<AfiSafi> add_path_receive;  // families whose NLRI carry path ids towards us
  std::vector<AfiSafi> add_path_send;     // families whose NLRI we send with path ids
  bool ibgp = false;               // RFC 7606 §3 (LOCAL_PREF handling differs by session type)
  size_t max_size() const { return extended_message ? extended_max_message_size : max_message_size; }
};

}  // namespace halink::bgp
