#include "bfd/session.h"

#include <algorithm>
#include <utility>

namespace halink::bfd {

namespace {

uint32_t to_wire_us(Duration d) { return static_cast<uint32_t>(std::clamp<int64_t>(d.us(), 0, 0xFFFF'FFFFLL)); }

// Intervals are carried in whole microseconds; keep them so internally too.
Duration whole_microseconds(Duration d) { return Duration::microseconds(d.us()); }

Status check_interval(const char* what, Duration d) {
  if (d < Duration::microseconds(1) || d > max_interval) {
    return Error{std::string("BFD ") + what + " " + d.to_string() +
                 " is out of range (1us .. 4294.967295s, RFC 5880 §4.1)"};
  }
  return Status::success();
}

bool identity_equal(const SessionConfig& a, const SessionConfig& b) {
  return a.local_discriminator == b.local_discriminator && a.peer == b.peer && a.local_address == b.local_address &&
         a.interface == b.interface && a.multihop == b.multihop;
}

}  // namespace

Status validate(const SessionConfig& c) {
  std::string peer = "BFD session to " + c.peer.to_string() + ": ";
  if (c.local_discriminator == 0) return Error{peer + "local discriminator must be nonzero (RFC 5880 §6.8.1)"};
  if (c.peer.is_unspecified()) return Error{peer + "peer address is unspecified"};
  if (c.local_address && c.local_address->family() != c.peer.family()) {
    return Error{peer + "local address " + c.local_address->to_string() + " is not of the peer's family"};
  }
  if (c.detect_mult == 0) return Error{peer + "detect multiplier must be nonzero (RFC 5880 §6.8.1)"};
  if (Status s = check_interval("desired min tx interval", c.desired_min_tx); !s) return Error{peer + s.message()};
  // Zero would ask the peer to stop sending; without Echo or Demand mode that
  // leaves nothing to detect a failure with.
  if (Status s = check_interval("required min rx interval", c.required_min_rx); !s) return Error{peer + s.message()};
  if (Status s = validate_auth(c.auth); !s) return Error{peer + s.message()};
  return Status::success();
}

Result<Session> Session::create(SessionConfig config, RandomSource random, Time now) {
  if (Status s = validate(config); !s) return s.error();
  if (!random) return Error{"BFD session needs a random source"};
  return Session(std::move(config), std::move(random), now);
}

Session::Session(SessionConfig config, RandomSource random, Time now)
    : config_(std::move(config)), random_(std::move(random)), last_state_change_(now) {
  config_.desired_min_tx = whole_microseconds(config_.desired_min_tx);
  config_.required_min_rx = whole_microseconds(config_.required_min_rx);
  transmit_sequence_ = random_();  // §6.8.1: bfd.XmitAuthSeq starts random
  state_ = config_.admin_down ? State::admin_down : State::down;
  if (config_.admin_down) local_diag_ = Diag::administratively_down;
  advertised_min_tx_ = effective_min_tx_ = target_desired_min_tx();
  advertised_min_rx_ = effective_min_rx_ = config_.required_min_rx;
  // The first packet goes out at once; the session is active (§6.1).
  scheduled_allowed_ = periodic_transmit_allowed();
  scheduled_interval_ = transmit_interval();
  next_tx_ = scheduled_allowed_ ? now : Time::never();
}

// ---------------------------------------------------------------- reception

DropReason Session::on_packet(Time now, std::span<const uint8_t> bytes, uint8_t ttl) {
  DecodedPacket decoded = decode_control_packet(bytes);
  if (!decoded.ok()) {
    counters_.count_drop(decoded.drop);
    return decoded.drop;
  }
  return on_decoded_packet(now, decoded.packet, bytes, ttl);
}

DropReason Session::on_decoded_packet(Time now, const ControlPacket& p, std::span<const uint8_t> bytes, uint8_t ttl) {
  auto drop = [&](DropReason reason) {
    counters_.count_drop(reason);
    return reason;
  };
  // RFC 5881 §5 / RFC 5883 §5: GTSM before anything else touches state.
  if (!config_.multihop && ttl != 255) return drop(DropReason::ttl_not_255);
  if (config_.multihop && ttl < config_.multihop_min_ttl) return drop(DropReason::ttl_below_minimum);
  // §6.8.6: a nonzero Your Discriminator must be ours.
  if (p.your_discriminator != 0 && p.your_discriminator != config_.local_discriminator) {
    return drop(DropReason::unknown_your_discriminator);
  }
  // §6.8.6: the A bit must match the configuration, then §6.7 decides.
  if (p.authentication_present && !config_.auth.enabled()) return drop(DropReason::auth_present_not_configured);
  if (!p.authentication_present && config_.auth.enabled()) return drop(DropReason::auth_missing);
  if (p.authentication_present) {
    if (DropReason r = verify_packet(bytes, p, config_.auth, auth_receive_); r != DropReason::none) return drop(r);
  }

  ++counters_.rx_packets;
  // Kept even in AdminDown, where the packet is then discarded: the peer's
  // state stays current for when the session is enabled again.
  last_rx_ = now;
  remote_discriminator_ = p.my_discriminator;
  remote_state_ = p.state;
  remote_diag_ = p.diag;
  remote_demand_ = p.demand;
  remote_min_rx_ = Duration::microseconds(p.required_min_rx_us);
  remote_desired_min_tx_ = Duration::microseconds(p.desired_min_tx_us);
  remote_detect_mult_ = p.detect_mult;
  // Required Min Echo RX Interval is ignored: halink never sends Echo packets.

  if (poll_active_ && p.final) end_poll(now);
  intervals_changed(now);
  if (config_.auth.enabled()) {
    // §6.8.1: bfd.AuthSeqKnown is cleared after twice the Detection Time of silence.
    auth_sequence_reset_deadline_ = now + detection_time() + detection_time();
  }

  if (state_ == State::admin_down) {
    counters_.count_drop(DropReason::local_admin_down);
    return DropReason::local_admin_down;
  }

  // §6.8.6 state table.
  if (p.state == State::admin_down) {
    if (state_ != State::down) {
      change_state(now, State::down, Diag::neighbor_signaled_session_down,
                   "neighbor signaled AdminDown (remote diag: " + diag_name(p.diag) + ")");
    }
  } else if (state_ == State::down) {
    if (p.state == State::down) {
      change_state(now, State::init, std::nullopt, "three-way handshake: neighbor is Down");
    } else if (p.state == State::init) {
      change_state(now, State::up, Diag::none, "three-way handshake complete: neighbor is Init");
    }
  } else if (state_ == State::init) {
    if (p.state == State::init || p.state == State::up) {
      change_state(now, State::up, Diag::none,
                   std::string("three-way handshake complete: neighbor is ") + state_name(p.state));
    }
  } else if (p.state == State::down) {  // Up
    change_state(now, State::down, Diag::neighbor_signaled_session_down,
                 "neighbor signaled Down (remote diag: " + diag_name(p.diag) + ")");
  }

  // §6.8.3: a change that waited for the last poll goes out once the peer
  // has sent something that is not a Final.
  if (awaiting_non_final_ && !p.final) {
    awaiting_non_final_ = false;
    apply_timer_changes(now);
  }

  // §6.8.6: answer a Poll at once with a Final, independent of the periodic
  // schedule; it also carries any state change (§6.8.7).
  bool changed = urgent_change();
  if (p.poll) {
    transmit(now, /*final=*/true, /*periodic=*/changed);
  } else if (changed) {
    transmit(now, /*final=*/false, /*periodic=*/true);
  }
  return DropReason::none;
}

// ---------------------------------------------------------------- timers

Time Session::next_deadline() const {
  return earliest(earliest(detection_deadline_, auth_sequence_reset_deadline_), next_tx_);
}

void Session::on_timer(Time now) {
  if (now >= detection_deadline_) detection_time_expired(now);
  if (now >= auth_sequence_reset_deadline_) {
    // §6.8.1: no packet for twice the detection time: resynchronise on the
    // next one, in case the peer restarted with a new sequence.
    auth_receive_.sequence_known = false;
    auth_sequence_reset_deadline_ = Time::never();
  }
  if (now >= next_tx_ || urgent_change()) transmit(now, /*final=*/false, /*periodic=*/true);
}

void Session::detection_time_expired(Time now) {
  Duration detection = detection_time();
  // §6.8.1: the peer's discriminator is forgotten after a Detection Time of
  // silence; §6.8.18: its Required Min RX goes back to the initial 1 us.
  remote_discriminator_ = 0;
  remote_state_ = State::down;
  remote_demand_ = false;
  remote_min_rx_ = Duration::microseconds(1);
  detection_deadline_ = Time::never();
  cancel_poll();  // nobody left to answer it
  if (state_ == State::init || state_ == State::up) {
    change_state(now, State::down, Diag::control_detection_time_expired,
                 "no BFD packet for " + detection.to_string() + " (detection time expired)");
  } else {
    apply_timer_changes(now);
    intervals_changed(now);
  }
}

// ---------------------------------------------------------------- configuration

Status Session::set_desired_min_tx(Time now, Duration interval) {
  if (Status s = check_interval("desired min tx interval", interval); !s) return s;
  config_.desired_min_tx = whole_microseconds(interval);
  apply_timer_changes(now);
  send_if_contents_changed(now);
  return Status::success();
}

Status Session::set_required_min_rx(Time now, Duration interval) {
  if (Status s = check_interval("required min rx interval", interval); !s) return s;
  config_.required_min_rx = whole_microseconds(interval);
  apply_timer_changes(now);
  send_if_contents_changed(now);
  return Status::success();
}

Status Session::set_detect_mult(Time now, uint8_t multiplier) {
  if (multiplier == 0) return Error{"BFD detect multiplier must be nonzero (RFC 5880 §6.8.1)"};
  // §6.8.12: no Poll Sequence needed; the next packet carries it.
  config_.detect_mult = multiplier;
  send_if_contents_changed(now);
  return Status::success();
}

Status Session::set_auth(Time now, AuthConfig auth) {
  if (Status s = validate_auth(auth); !s) return s;
  if (auth == config_.auth) return Status::success();
  config_.auth = std::move(auth);
  auth_receive_ = {};
  // A changed key is a changed packet; send it now so the peer learns fast.
  transmit(now, /*final=*/false, /*periodic=*/true);
  return Status::success();
}

void Session::set_admin_down(Time now, bool down) {
  // §6.8.16. Packets keep flowing at the slow rate so the peer learns of
  // AdminDown and state is kept on both sides.
  if (down && state_ != State::admin_down) {
    change_state(now, State::admin_down, Diag::administratively_down, "administratively disabled");
  } else if (!down && state_ == State::admin_down) {
    change_state(now, State::down, Diag::none, "administratively enabled");
  }
  config_.admin_down = down;
  send_if_contents_changed(now);
}

Status Session::reconfigure(Time now, const SessionConfig& config) {
  if (Status s = validate(config); !s) return s;
  if (!identity_equal(config, config_)) {
    return Error{"BFD session " + std::to_string(config_.local_discriminator) +
                 ": discriminator, addresses, interface and multihop cannot change; remove and add it"};
  }
  config_.multihop_min_ttl = config.multihop_min_ttl;
  config_.detect_mult = config.detect_mult;
  // Both intervals at once, so one Poll Sequence covers them (§6.8.3).
  config_.desired_min_tx = whole_microseconds(config.desired_min_tx);
  config_.required_min_rx = whole_microseconds(config.required_min_rx);
  apply_timer_changes(now);
  if (Status s = set_auth(now, config.auth); !s) return s;
  set_admin_down(now, config.admin_down);
  send_if_contents_changed(now);
  return Status::success();
}

// ---------------------------------------------------------------- state

void Session::change_state(Time now, State to, std::optional<Diag> diag, std::string reason) {
  State from = state_;
  state_ = to;
  if (diag) local_diag_ = *diag;
  last_state_change_ = now;
  if (to == State::up) {
    up_since_ = now;
    ++counters_.up_transitions;
  } else if (from == State::up) {
    up_since_.reset();
    ++counters_.down_transitions;
  }
  actions_.push_back(
      StateChange{config_.local_discriminator, from, to, diag.value_or(Diag::none), std::move(reason), now});
  // A poll in flight was about the old state's intervals; start afresh.
  cancel_poll();
  apply_timer_changes(now);
  intervals_changed(now);
}

// ---------------------------------------------------------------- timer negotiation

Duration Session::target_desired_min_tx() const {
  // §6.8.3: not less than one second while not Up.
  if (state_ == State::up) return config_.desired_min_tx;
  return std::max(config_.desired_min_tx, slow_transmit_interval);
}

void Session::apply_timer_changes(Time now) {
  Duration want_tx = target_desired_min_tx();
  Duration want_rx = config_.required_min_rx;
  if (want_tx == advertised_min_tx_ && want_rx == advertised_min_rx_) return;
  // §6.8.3: the Final of a Poll Sequence is ambiguous when values change
  // again before it; such a change waits for the current sequence.
  if (poll_active_ || awaiting_non_final_) return;

  advertised_min_tx_ = want_tx;
  advertised_min_rx_ = want_rx;
  bool peer_present = state_ != State::admin_down && remote_discriminator_ != 0;
  if (state_ == State::up && peer_present) {
    // §6.8.3: a larger transmit interval waits for the Final (the peer's
    // detection time must grow first); a smaller receive interval waits too
    // (the peer must be sending faster before our detection time shrinks).
    // The opposite directions are safe at once.
    effective_min_tx_ = std::min(effective_min_tx_, want_tx);
    effective_min_rx_ = std::max(effective_min_rx_, want_rx);
  } else {
    effective_min_tx_ = want_tx;
    effective_min_rx_ = want_rx;
  }
  // §6.8.3: every change of these two values starts a Poll Sequence, when
  // there is a peer to answer it.
  poll_active_ = peer_present;
  intervals_changed(now);
}

void Session::end_poll(Time now) {
  poll_active_ = false;
  effective_min_tx_ = advertised_min_tx_;
  effective_min_rx_ = advertised_min_rx_;
  awaiting_non_final_ = target_desired_min_tx() != advertised_min_tx_ || config_.required_min_rx != advertised_min_rx_;
  intervals_changed(now);
}

void Session::cancel_poll() {
  poll_active_ = false;
  awaiting_non_final_ = false;
  effective_min_tx_ = advertised_min_tx_;
  effective_min_rx_ = advertised_min_rx_;
}

Duration Session::transmit_interval() const { return std::max(effective_min_tx_, remote_min_rx_); }

Duration Session::detection_time() const {
  if (remote_detect_mult_ == 0) return Duration::infinite();
  return std::max(effective_min_rx_, remote_desired_min_tx_) * remote_detect_mult_;
}

bool Session::remote_demand_active() const {
  return remote_demand_ && state_ == State::up && remote_state_ == State::up;
}

bool Session::periodic_transmit_allowed() const {
  // §6.8.7: no periodic packets when the peer asked for none, or when it
  // runs Demand mode and no Poll Sequence is being sent.
  if (remote_min_rx_.is_zero()) return false;
  return !remote_demand_active() || poll_active_;
}

void Session::intervals_changed(Time now) {
  update_detection_deadline();
  Duration interval = transmit_interval();
  bool allowed = periodic_transmit_allowed();
  if (interval == scheduled_interval_ && allowed == scheduled_allowed_) return;
  scheduled_interval_ = interval;
  scheduled_allowed_ = allowed;
  reschedule_transmit(now);
}

void Session::reschedule_transmit(Time now) {
  if (!scheduled_allowed_) {
    next_tx_ = Time::never();
    return;
  }
  // §6.8.3: a shorter interval is honoured at once, measured from the last
  // packet sent; a longer one also applies to the packet being waited for.
  if (last_tx_.is_never()) {
    next_tx_ = now;  // nothing sent yet: the first packet goes out at once
    return;
  }
  next_tx_ = std::max(now, last_tx_ + jittered(scheduled_interval_));
}

void Session::update_detection_deadline() {
  detection_deadline_ =
      remote_discriminator_ != 0 && !last_rx_.is_never() ? last_rx_ + detection_time() : Time::never();
}

// ---------------------------------------------------------------- transmission

Duration Session::jittered(Duration interval) {
  // §6.8.7: reduce each interval by 0-25 %; with Detect Mult 1 keep it in
  // 75-90 % so the peer's detection time cannot pass between packets.
  double span = config_.detect_mult == 1 ? 0.15 : 0.25;
  double fraction = static_cast<double>(random_()) / 4294967296.0;  // [0, 1)
  return interval.scaled(0.75 + span * fraction);
}

Session::Contents Session::current_contents() const {
  return Contents{
      state_, local_diag_, config_.detect_mult, remote_discriminator_, advertised_min_tx_, advertised_min_rx_};
}

// §6.8.7: a packet whose contents differ from the last one goes out at once,
// except for interval changes: they start a Poll Sequence, which §6.5 says
// rides on the scheduled packets with no additional ones.
bool Session::urgent_change() const {
  if (!last_sent_) return true;
  return last_sent_->state != state_ || last_sent_->diag != local_diag_ ||
         last_sent_->detect_mult != config_.detect_mult || last_sent_->your_discriminator != remote_discriminator_;
}

void Session::send_if_contents_changed(Time now) {
  if (urgent_change()) transmit(now, /*final=*/false, /*periodic=*/true);
}

void Session::transmit(Time now, bool final, bool periodic) {
  Contents contents = current_contents();
  bool contents_changed = !last_sent_ || *last_sent_ != contents;

  ControlPacket p;
  p.diag = local_diag_;
  p.state = state_;
  p.poll = poll_active_ && !final;  // §6.8.6: a Final goes with Poll clear
  p.final = final;
  p.detect_mult = config_.detect_mult;
  p.my_discriminator = config_.local_discriminator;
  p.your_discriminator = remote_discriminator_;
  p.desired_min_tx_us = to_wire_us(advertised_min_tx_);
  p.required_min_rx_us = to_wire_us(advertised_min_rx_);
  p.required_min_echo_rx_us = 0;  // §6.8.9: we do not loop Echo packets back
  if (config_.auth.enabled()) {
    p.authentication_present = true;
    p.auth_type = config_.auth.type;
    p.auth_length = auth_section_length(config_.auth);
  }
  PacketBuffer buffer = encode_control_packet(p);
  if (config_.auth.enabled()) {
    // §6.7.4: Meticulous increments on every packet; plain Keyed SHA1 when
    // the contents change, which keeps the peer's window from sliding away.
    if (config_.auth.meticulous() || (contents_changed && last_sent_)) ++transmit_sequence_;
    sign_packet(buffer, config_.auth, transmit_sequence_);
  }
  actions_.push_back(SendPacket{config_.local_discriminator, buffer});
  ++counters_.tx_packets;
  last_sent_ = contents;
  if (periodic) {
    last_tx_ = now;
    if (scheduled_allowed_) next_tx_ = now + jittered(scheduled_interval_);
  }
}

// ---------------------------------------------------------------- output

std::string to_string(const StateChange& c) {
  std::string text = std::string(state_name(c.old_state)) + " -> " + state_name(c.new_state);
  if (c.diag != Diag::none) text += " (" + diag_name(c.diag) + ")";
  if (!c.reason.empty()) text += ": " + c.reason;
  return text;
}

void Session::drain_actions(std::vector<Action>& out) {
  if (actions_.empty()) return;
  for (Action& a : actions_) out.push_back(std::move(a));
  actions_.clear();
}

std::vector<Action> Session::take_actions() {
  std::vector<Action> out;
  out.swap(actions_);
  return out;
}

SessionInfo Session::info() const {
  SessionInfo i;
  i.local_discriminator = config_.local_discriminator;
  i.remote_discriminator = remote_discriminator_;
  i.peer = config_.peer;
  i.local_address = config_.local_address;
  i.interface = config_.interface;
  i.multihop = config_.multihop;
  i.state = state_;
  i.remote_state = remote_state_;
  i.local_diag = local_diag_;
  i.remote_diag = remote_diag_;
  i.detect_mult = config_.detect_mult;
  i.remote_detect_mult = remote_detect_mult_;
  i.desired_min_tx = advertised_min_tx_;
  i.required_min_rx = advertised_min_rx_;
  i.remote_desired_min_tx = remote_desired_min_tx_;
  i.remote_required_min_rx = remote_min_rx_;
  i.transmit_interval = transmit_interval();
  i.detection_time = detection_time();
  i.poll_in_progress = poll_active_;
  i.auth_type = config_.auth.type;
  i.up_since = up_since_;
  i.last_state_change = last_state_change_;
  i.counters = counters_;
  return i;
}

}  // namespace halink::bfd
