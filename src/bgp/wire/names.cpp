// Names in words for message types, families, error codes and outcomes, as
// the IANA "BGP Error (Notification) Codes" and "BGP Error Subcodes"
// registries spell them (RFC 4271 §4.5, RFC 4486, 6608, 7313, 8538, 9234, 9384).
#include <string>

#include "bgp/wire/codec.h"
#include "bgp/wire/message.h"

namespace halink::bgp {

const char* message_type_name(uint8_t type) {
  switch (type) {
    case 1: return "OPEN";
    case 2: return "UPDATE";
    case 3: return "NOTIFICATION";
    case 4: return "KEEPALIVE";
    case 5: return "ROUTE-REFRESH";
    default: return "unknown";
  }
}

std::string AfiSafi::to_string() const {
  if (safi == safi::unicast && afi == afi::ipv4) return "ipv4-unicast";
  if (safi == safi::unicast && afi == afi::ipv6) return "ipv6-unicast";
  return "afi " + std::to_string(afi) + " safi " + std::to_string(safi);
}

const char* error_action_name(ErrorAction a) {
  switch (a) {
    case ErrorAction::none: return "none";
    case ErrorAction::attribute_discard: return "attribute-discard";
    case ErrorAction::treat_as_withdraw: return "treat-as-withdraw";
    case ErrorAction::session_reset: return "session-reset";
  }
  return "invalid";
}

const char* error_code_name(uint8_t code) {
  switch (code) {
    case error_code::message_header: return "Message Header Error";
    case error_code::open_message: return "OPEN Message Error";
    case error_code::update_message: return "UPDATE Message Error";
    case error_code::hold_timer_expired: return "Hold Timer Expired";
    case error_code::fsm: return "Finite State Machine Error";
    case error_code::cease: return "Cease";
    case error_code::route_refresh: return "ROUTE-REFRESH Message Error";
    default: return "Unknown Error";
  }
}

const char* error_subcode_name(uint8_t code, uint8_t subcode) {
  switch (code) {
    case error_code::message_header:
      switch (subcode) {
        case 0: return "Unspecific";
        case 1: return "Connection Not Synchronized";
        case 2: return "Bad Message Length";
        case 3: return "Bad Message Type";
      }
      break;
    case error_code::open_message:
      switch (subcode) {
        case 0: return "Unspecific";
        case 1: return "Unsupported Version Number";
        case 2: return "Bad Peer AS";
        case 3: return "Bad BGP Identifier";
        case 4: return "Unsupported Optional Parameter";
        case 5: return "Authentication Failure (deprecated)";
        case 6: return "Unacceptable Hold Time";
        case 7: return "Unsupported Capability";
        case 8:
        case 9:
        case 10: return "Deprecated";
        case 11: return "Role Mismatch";
      }
      break;
    case error_code::update_message:
      switch (subcode) {
        case 0: return "Unspecific";
        case 1: return "Malformed Attribute List";
        case 2: return "Unrecognized Well-known Attribute";
        case 3: return "Missing Well-known Attribute";
        case 4: return "Attribute Flags Error";
        case 5: return "Attribute Length Error";
        case 6: return "Invalid ORIGIN Attribute";
        case 7: return "AS Routing Loop (deprecated)";
        case 8: return "Invalid NEXT_HOP Attribute";
        case 9: return "Optional Attribute Error";
        case 10: return "Invalid Network Field";
        case 11: return "Malformed AS_PATH";
      }
      break;
    case error_code::hold_timer_expired:
      if (subcode == 0) return "Unspecific";
      break;
    case error_code::fsm:  // RFC 6608 §4
      switch (subcode) {
        case 0: return "Unspecified Error";
        case 1: return "Receive Unexpected Message in OpenSent State";
        case 2: return "Receive Unexpected Message in OpenConfirm State";
        case 3: return "Receive Unexpected Message in Established State";
      }
      break;
    case error_code::cease:  // RFC 4486 §4, RFC 8538 §3, RFC 9384 §3
      switch (subcode) {
        case 0: return "Unspecific";
        case 1: return "Maximum Number of Prefixes Reached";
        case 2: return "Administrative Shutdown";
        case 3: return "Peer De-configured";
        case 4: return "Administrative Reset";
        case 5: return "Connection Rejected";
        case 6: return "Other Configuration Change";
        case 7: return "Connection Collision Resolution";
        case 8: return "Out of Resources";
        case 9: return "Hard Reset";
        case 10: return "BFD Down";
      }
      break;
    case error_code::route_refresh:  // RFC 7313 §5
      switch (subcode) {
        case 0: return "Reserved";
        case 1: return "Invalid Message Length";
      }
      break;
  }
  return "";
}

}  // namespace halink::bgp
