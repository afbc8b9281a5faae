// One BGP peer's session: the RFC 4271 §8 finite state machine, its timers,
// OPEN negotiation and connection collision detection, sans-IO.
//
// Inputs carry `now`; outputs are SessionActions the caller drains with
// take_actions(); next_deadline() says when on_timer() is due; jitter comes
// from the injected random source. Nothing here touches a socket or a clock.
//
// ---------------------------------------------------------------------------
// Session states (state()) and the events that move them
// ---------------------------------------------------------------------------
//
// Idle ───start()/IdleHold expiry──► Connect (or Active when passive)
//  ▲                                   │ on_connected          ▲ ConnectRetry
//  │ any failure (back-off)            ▼                       │ expiry
//  ├──────────────────────────────── OpenSent ◄── Active ──────┘
//  │                                   │ OPEN accepted (send KEEPALIVE)
//  ├──────────────────────────────── OpenConfirm
//  │                                   │ KEEPALIVE
//  └──────────────────────────────── Established
//
//  state        event                         action                               next
//  ───────────  ────────────────────────────  ───────────────────────────────────  ───────────
//  Idle         start(), IdleHold expiry      Connect{} + ConnectRetry timer        Connect
//                                             (passive: nothing, wait for peer)     Active
//  Idle         on_incoming                   Close{} (refused, RFC 4271 §8.2.2)    Idle
//               ... during the back-off       accepted: send OPEN                   OpenSent
//  Connect      on_connected                  send OPEN, hold timer = 4 min         OpenSent
//               ... with DelayOpen            DelayOpen timer                        Connect
//  Connect      on_closed (connect failed)    ConnectRetry timer restarted          Active
//  Connect      ConnectRetry expiry           Close{} + new Connect{}               Connect
//  Active       ConnectRetry expiry           Connect{} (never when passive)        Connect
//  Active       on_incoming                   send OPEN (or DelayOpen timer)        OpenSent
//  Connect/     DelayOpen expiry              send OPEN                             OpenSent
//   Active      OPEN accepted (DelayOpen)     send OPEN + KEEPALIVE                 OpenConfirm
//               other message                 NOTIFICATION FSM Error / 0            Idle*
//  OpenSent     OPEN accepted                 send KEEPALIVE, negotiated timers,    OpenConfirm
//                                             collision detection (below)
//  OpenSent     OPEN refused                  NOTIFICATION OPEN Message Error / x   Idle*
//  OpenSent     KEEPALIVE, UPDATE, REFRESH    NOTIFICATION FSM Error / 1 (RFC 6608) Idle*
//  OpenConfirm  KEEPALIVE                     Established{negotiated}; the other    Established
//                                             connection, if any, is closed
//  OpenConfirm  OPEN, UPDATE, REFRESH         NOTIFICATION FSM Error / 2            Idle*
//  OpenConfirm, keepalive timer               send KEEPALIVE
//   Established
//  Established  any message                   hold timer restarted (RFC 4271 §4.4)
//  Established  UPDATE                        ReceivedUpdate{update, RFC 7606 action}
//  Established  UPDATE needing session reset  NOTIFICATION from the decoder         Idle*
//  Established  ROUTE-REFRESH                 ReceivedRouteRefresh (negotiated
//                                             families only, RFC 2918 §4)
//  Established  OPEN                          NOTIFICATION FSM Error / 3            Idle*
//  ≥ OpenSent   hold timer expiry             NOTIFICATION Hold Timer Expired       Idle*
//  ≥ Connect    NOTIFICATION received         Close{}                               Idle*
//  ≥ Connect    on_closed                     -                                     Idle*
//  any          bad header / framing          NOTIFICATION Message Header Error     Idle*
//  any          bfd_down()                    NOTIFICATION Cease / BFD Down         Idle*
//  any          stop(text)                    NOTIFICATION Cease / Admin Shutdown   Idle
//                                             with the RFC 9003 text; stays Idle
//  any          reset(text)                   NOTIFICATION Cease / Admin Reset      Connect
//  any          max_prefix_exceeded()         NOTIFICATION Cease / Max Prefixes     Idle (restart
//                                                                                   later or never)
//
//  Idle* = Idle for the IdleHold back-off (SessionConfig::idle_hold), then
//  Connect (or Active when passive) on its own. Every transition to Idle from
//  a live connection emits Down{reason, text, ...}.
//
// Deviations from RFC 4271 §8, on purpose:
//  - A failed TCP connect goes to Active and retries after ConnectRetry
//    (as FRR does) instead of Idle; it does not count as a failure
//    for the back-off, because no peer was reached.
//  - A connection the peer closes in OpenSent goes to Idle with back-off
//    rather than to Active with ConnectRetry (§8.2.2 Event 18): a peer that
//    accepts TCP and hangs up at once is the flapping case, and the growing
//    wait is what keeps it from becoming a reconnect storm.
//  - The back-off delays only our own connection attempts: an incoming
//    connection during it is accepted (stopped sessions and max-prefix
//    restart intervals still refuse). Two damped speakers that refused each
//    other would otherwise meet only by chance; the peer's own back-off
//    paces its attempts. (OpenBGPD accepts during IdleHold only while its
//    error count is below two.)
//  - Unexpected messages in Connect/Active (possible only with DelayOpen) are
//    answered with FSM Error / 0 (Unspecified): RFC 6608 has no subcode for
//    them, and a NOTIFICATION tells the peer more than a silent close.
//
// ---------------------------------------------------------------------------
// Connections and collisions (RFC 4271 §6.8)
// ---------------------------------------------------------------------------
// A session holds at most two TCP connections: the one it opened (after a
// Connect{id} action) and one the caller accepted from the peer (reported
// with on_incoming(), which returns its id). Each runs its own copy of the
// connection states above; state() shows the most advanced one.
//  - When an OPEN is accepted on one connection while the other is already
//    in OpenConfirm, the connection initiated by the speaker with the higher
//    BGP Identifier is kept (with equal identifiers, allowed for eBGP by
//    RFC 6286 §2.3, the one initiated by the higher AS). The other gets
//    NOTIFICATION Cease / Connection Collision Resolution and Close{}.
//  - When a connection reaches Established, the other one is closed the same
//    way; incoming connections while Established get Cease / Connection
//    Rejected (RFC 4486).
//  - A connection that fails while the other one lives is just closed; the
//    session goes Down only when its last connection fails.
//
// ---------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------
// ConnectRetry, IdleHold and Keepalive are jittered by a factor in
// [0.75, 1.0] from the random source (RFC 4271 §10). The hold timer is not:
// it expires exactly the negotiated hold time after the last message
// received. Sending an UPDATE or KEEPALIVE restarts the keepalive timer
// (RFC 4271 §4.4).
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/session/actions.h"
#include "bgp/session/config.h"
#include "bgp/session/counters.h"
#include "bgp/session/negotiation.h"
#include "bgp/wire/codec.h"
#include "core/result.h"
#include "core/time.h"

namespace halink::bgp {

enum class SessionState : uint8_t { idle, connect, active, open_sent, open_confirm, established };
const char* session_state_name(SessionState state);  // "Idle", "OpenSent", ...

class Session {
public:
  // Returns a number uniformly distributed in [0, 1]; the only source of randomness.
  using RandomSource = std::function<double()>;

  Session(SessionConfig config, RandomSource random);

  // ---- Administrative events.
  // Starts the session (RFC 4271 ManualStart); it restarts on its own after
  // failures until stop().
  void start(Time now);
  // Administrative shutdown: Cease / Administrative Shutdown with the RFC 9003
  // text to the peer, Down{admin_shutdown}, Idle until start().
  void stop(Time now, const std::string& shutdown_communication = {});
  // Administrative reset: Cease / Administrative Reset with the text, then
  // connects again at once without back-off.
  void reset(Time now, const std::string& shutdown_communication = {});
  // BFD declared the path down (RFC 9384): Cease / BFD Down; counts as a
  // failure for the back-off.
  void bfd_down(Time now, const std::string& diagnostic);
  // The speaker counted too many prefixes (RFC 4486 §4): Cease / Maximum
  // Number of Prefixes Reached; restarts after `restart_after`, or stays
  // Idle until start() when unset.
  void max_prefix_exceeded(Time now, AfiSafi family, uint32_t limit, std::optional<Duration> restart_after);
  // A configuration reload changed settings that need no new connection
  // (passive, connect_retry, keepalive, idle_hold): those of `fresh` apply at once.
  // A new keepalive interval restarts the keepalive timer of a session up
  // (the interval is local, RFC 4271 §10); a lowered idle hold cap shortens
  // a wait in progress; a session no longer passive connects now unless an
  // attempt or the idle hold is pending.
  void update_live_settings(Time now, const SessionConfig& fresh);

  // ---- Transport events.
  // The caller accepted a TCP connection from the peer's address; returns
  // the id the session uses for it (the session may Close{} it at once).
  ConnectionId on_incoming(Time now);
  // The connection of a Connect{id} action is up.
  void on_connected(Time now, ConnectionId id);
  void on_bytes(Time now, ConnectionId id, std::span<const uint8_t> bytes);
  // The connection closed or, for a Connect{id} not yet up, failed. No
  // Close{id} follows.
  void on_closed(Time now, ConnectionId id);

  // ---- Timers.
  void on_timer(Time now);
  Time next_deadline() const;

  // ---- Sending, for the speaker; only in Established.
  Status send_update(Time now, const Update& update);
  // One or more complete, already encoded messages (e.g. an UPDATE encoded
  // once for a group of peers); each is counted by its type.
  Status send_raw(Time now, std::vector<uint8_t> bytes);
  Status send_route_refresh(Time now, const RouteRefresh& refresh);

  // ---- Output.
  std::vector<SessionAction> take_actions();
  bool has_actions() const { return !actions_.empty(); }

  // ---- Inspection.
  SessionState state() const;
  bool established() const { return state() == SessionState::established; }
  const SessionConfig& config() const { return config_; }
  const OpenMessage& sent_open() const { return sent_open_; }
  // Set while Established.
  const Negotiated* negotiated() const { return negotiated_ ? &*negotiated_ : nullptr; }
  const SessionCounters& counters() const { return counters_; }
  // When a back-off or max-prefix restart will end; never() when not waiting.
  Time idle_hold_until() const { return idle_hold_deadline_; }

private:
  enum class ConnectionState : uint8_t { connecting, delay_open, open_sent, open_confirm, established };
  struct Connection {
    Connection(ConnectionId id_, bool outgoing_) : id(id_), outgoing(outgoing_) {}
    ConnectionId id = 0;
    bool outgoing = true;
    ConnectionState state = ConnectionState::connecting;
    StreamDecoder decoder;
    Time delay_open_deadline = Time::never();
    Time hold_deadline = Time::never();
    Time keepalive_deadline = Time::never();
    std::optional<Negotiated> negotiated;  // once the peer's OPEN was accepted
  };
  // Why a connection or the session ends.
  struct Failure {
    DownReason reason;
    std::string text;
    std::optional<Notification> sent;
    std::optional<Notification> received;
  };
  enum class Afterwards : uint8_t { back_off, stay_idle, restart_now, restart_later };

  class StateWatch;

  static SessionState connection_state(const Connection& c);
  Connection* find(ConnectionId id);
  Connection* other_than(const Connection& c);
  Connection* established_connection();
  bool has_live_connection() const;
  Duration jittered(Duration d);
  Duration idle_hold_for(uint32_t failures);

  void begin_connecting(Time now);
  void open_outgoing(Time now);
  void tcp_established(Time now, Connection& c);
  void send_message(Connection& c, std::vector<uint8_t> bytes);
  void send_open(Time now, Connection& c);
  void send_keepalive(Time now, Connection& c);
  void restart_keepalive_timer(Time now, Connection& c);
  void restart_hold_timer(Time now, Connection& c);
  // Sends `notification` first when set; `c` is destroyed.
  void close_connection(Connection& c, const std::optional<Notification>& notification, bool tell_caller = true);

  void handle_frame(Time now, Connection& c, const StreamDecoder::Frame& frame);
  void handle_open(Time now, Connection& c, const OpenMessage& open);
  void enter_open_confirm(Time now, Connection& c, Negotiated negotiated);
  void enter_established(Time now, Connection& c);
  void resolve_collision(Connection& c);
  void unexpected_message(Time now, Connection& c, uint8_t type);
  void fail_malformed(Time now, Connection& c, const Decoded& decoded, uint8_t type);

  // A connection-level failure: ends `c`; ends the session when it was the last.
  void connection_failed(Time now, Connection& c, Failure failure, bool tell_caller = true);
  // Ends every connection (with `failure.sent` on each that is up) and the
  // session, then idles, backs off or restarts as `afterwards` says.
  void session_down(Time now, Failure failure, Afterwards afterwards, std::optional<Duration> restart_after = {},
                    bool had_connection = false);

  void on_timer_connection(Time now, bool outgoing);

  SessionConfig config_;
  RandomSource random_;
  OpenMessage sent_open_;
  bool started_ = false;
  std::optional<Connection> outgoing_;
  std::optional<Connection> incoming_;
  ConnectionId next_id_ = 1;
  Time connect_retry_deadline_ = Time::never();
  Time idle_hold_deadline_ = Time::never();
  bool accept_during_idle_hold_ = true;  // false while a max-prefix restart interval runs
  std::optional<Negotiated> negotiated_;
  Time established_at_;
  SessionCounters counters_;
  std::vector<SessionAction> actions_;
};

}  // namespace halink::bgp
