package presence

// ChanSubscriber is a Subscriber whose wake-ups arrive on a channel of
// capacity 1, for owners that wait in a select (tests, tools). One pending
// wake-up is enough: the owner takes every dirty topic at once.
type ChanSubscriber struct {
	*Subscriber
	c chan struct{}
}

// SubscribeChan subscribes to h with a wake-up channel.
func SubscribeChan(h Hub) *ChanSubscriber {
	c := make(chan struct{}, 1)
	return &ChanSubscriber{Subscriber: h.Subscribe(func() {
		select {
		case c <- struct{}{}:
		default:
		}
	}), c: c}
}

// C is signalled when at least one topic is dirty.
func (s *ChanSubscriber) C() <-chan struct{} { return s.c }
