package zmtp

// subscriptions is a multiset of topic prefixes: a topic subscribed twice
// needs two cancellations.
type subscriptions struct {
	count  map[string]int
	maxLen int // no topic is longer; may be stale high after a removal
}

// add counts one subscription to topic and reports whether it is the first.
func (s *subscriptions) add(topic []byte) bool {
	if s.count == nil {
		s.count = map[string]int{}
	}
	s.count[string(topic)]++
	s.maxLen = max(s.maxLen, len(topic))
	return s.count[string(topic)] == 1
}

// remove drops one subscription to topic. It reports whether there was one
// and whether it was the last.
func (s *subscriptions) remove(topic []byte) (found, last bool) {
	n, ok := s.count[string(topic)]
	if !ok {
		return false, false
	}
	if n == 1 {
		delete(s.count, string(topic))
		return true, true
	}
	s.count[string(topic)] = n - 1
	return true, false
}

// match reports whether a subscription is a prefix of msg.
func (s *subscriptions) match(msg []byte) bool {
	if len(s.count) <= 16 {
		for topic := range s.count {
			if len(topic) <= len(msg) && string(msg[:len(topic)]) == topic {
				return true
			}
		}
		return false
	}
	// Look up each prefix of msg, no longer than the longest topic, so
	// that a long message costs no more than a short one.
	for i := 0; i <= min(len(msg), s.maxLen); i++ {
		if _, ok := s.count[string(msg[:i])]; ok {
			return true
		}
	}
	return false
}

// each calls f for every topic with its count.
func (s *subscriptions) each(f func(topic []byte, n int)) {
	for topic, n := range s.count {
		f([]byte(topic), n)
	}
}

// subscriptionFrame appends the frame that tells a peer of minor version
// minor about a subscription (subscribe) or a cancellation: a SUBSCRIBE or
// CANCEL command for ZMTP 3.1, a message starting with 1 or 0 for 3.0.
func subscriptionFrame(b []byte, minor uint8, subscribe bool, topic []byte) []byte {
	if minor >= 1 {
		name := CmdCancel
		if subscribe {
			name = CmdSubscribe
		}
		return AppendCommand(b, name, topic)
	}
	flag := []byte{0}
	if subscribe {
		flag[0] = 1
	}
	b = AppendFrameHeader(b, 0, 1+len(topic))
	return append(append(b, flag...), topic...)
}

// parseSubscription recognises a ZMTP 3.0 subscription message: one frame
// starting with 1 (subscribe) or 0 (cancel).
func parseSubscription(frames [][]byte) (topic []byte, subscribe, ok bool) {
	if len(frames) != 1 || len(frames[0]) == 0 || frames[0][0] > 1 {
		return nil, false, false
	}
	return frames[0][1:], frames[0][0] == 1, true
}
