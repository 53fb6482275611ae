package station

import (
	"context"
	"sync"
)

// background is the work a service runs from its Start until its Close:
// one goroutine, owned by the service, which Close cancels and waits for.
type background struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	closed bool
}

// start runs run in a goroutine until ctx ends or stop is called. A second
// start while it runs, or any after stop, does nothing.
func (b *background) start(ctx context.Context, run func(context.Context)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.cancel != nil {
		return
	}
	ctx, b.cancel = context.WithCancel(ctx)
	b.done = make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		run(ctx)
	}(b.done)
}

// stop cancels the work and waits until it has returned; nothing starts
// after it.
func (b *background) stop() {
	b.mu.Lock()
	cancel, done := b.cancel, b.done
	b.closed = true
	b.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
