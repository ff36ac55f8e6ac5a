package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Recommender is what the recommendation job runs:
// service.Service.Recommend.
type Recommender interface {
	Recommend(ctx context.Context) error
}

// DefaultRecommendationConfig is the recommendation job's settings when
// none are given: it looks every minute, and each account is computed
// once a day on Coffer's clock.
func DefaultRecommendationConfig() Config {
	return Config{Interval: time.Minute, Timeout: DefaultTimeout}
}

// Recommendation computes, for each account last computed a day or more
// ago on Coffer's clock, its average daily usage, and unless the owner set
// the alerts, puts one at that figure. It holds no lease: a second
// process's pass saves the same figures.
//
// Cost to the hot path: none; it reads usage and writes alert settings
// beside the committer, never through it.
type Recommendation struct{ interval }

// NewRecommendation returns the recommendation job; zero fields of cfg
// take DefaultRecommendationConfig's values.
func NewRecommendation(work Recommender, log *slog.Logger, cfg Config) *Recommendation {
	return &Recommendation{newInterval("recommendation", work.Recommend, log, cfg, DefaultRecommendationConfig())}
}
