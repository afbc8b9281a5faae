// What a Session asks its caller to do, in order. The caller drains them
// with Session::take_actions() after every input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgp/session/down_reason.h"
#include "bgp/session/negotiation.h"
#include "bgp/wire/codec.h"
#include "bgp/wire/message.h"

namespace halink::bgp {

// Names one TCP connection of a session. The session assigns them: in
// Connect actions for connections it opens, as the return value of
// on_incoming() for connections the caller accepted.
using ConnectionId = uint32_t;

namespace session {

// Write these bytes (one or more whole BGP messages) to the connection.
struct SendBytes {
  ConnectionId connection = 0;
  std::vector<uint8_t> bytes;
};

// Open a TCP connection to the peer; report the outcome with
// on_connected(id) or on_closed(id).
struct Connect {
  ConnectionId connection = 0;
};

// Close the connection after writing what was queued for it (a NOTIFICATION
// usually precedes this). Not emitted for a connection the caller reported
// with on_closed().
struct Close {
  ConnectionId connection = 0;
};

// The session reached Established: start sending routes.
struct Established {
  Negotiated negotiated;
};

// The session went to Idle from a state with a live connection. When
// `was_established` the speaker withdraws everything learned from the peer.
struct Down {
  DownReason reason = DownReason::connection_closed;
  std::string text;  // a sentence for the log, starting with down_reason_name(reason)
  std::optional<Notification> notification_sent;
  std::optional<Notification> notification_received;
  bool was_established = false;
};

// An UPDATE received in Established. `action` is none, attribute_discard or
// treat_as_withdraw (RFC 7606 §2); the session handles session_reset itself.
struct ReceivedUpdate {
  Update update;
  ErrorAction action = ErrorAction::none;
  std::vector<DecodeProblem> problems;
};

// A ROUTE-REFRESH (RFC 2918, RFC 7313) for a negotiated family.
struct ReceivedRouteRefresh {
  RouteRefresh refresh;
};

}  // namespace session

using SessionAction = std::variant<session::SendBytes, session::Connect, session::Close, session::Established,
                                   session::Down, session::ReceivedUpdate, session::ReceivedRouteRefresh>;

}  // namespace halink::bgp
