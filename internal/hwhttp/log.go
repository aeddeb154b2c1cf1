package hwhttp

import "context"

// Logger receives a client's diagnostics with the caller's context, so the provider can route
// them to tflog. Fields never hold credentials or secrets.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// NopLogger logs nothing.
type NopLogger struct{}

func (NopLogger) Debug(context.Context, string, map[string]any) {}
func (NopLogger) Warn(context.Context, string, map[string]any)  {}
