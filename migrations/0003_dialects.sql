CREATE TABLE `responses` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`response` text NOT NULL,
	`conversation` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `responses_workspace_created` ON `responses` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `responses_expires` ON `responses` (`expires_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_daily_rollups` (
	`workspace_id` text NOT NULL,
	`day` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`execution_id` text NOT NULL,
	`dialect` text DEFAULT 'chat' NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cached_input_tokens` integer NOT NULL,
	`cache_write_tokens` integer NOT NULL,
	`cost_pico` integer NOT NULL,
	`unpriced_requests` integer NOT NULL,
	`estimated_requests` integer DEFAULT 0 NOT NULL,
	`estimated_cost_pico` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `provider`, `model`, `execution_id`, `dialect`)
);
--> statement-breakpoint
INSERT INTO `__new_daily_rollups`("workspace_id", "day", "provider", "model", "execution_id", "dialect", "requests", "errors", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cost_pico", "unpriced_requests", "estimated_requests", "estimated_cost_pico") SELECT "workspace_id", "day", "provider", "model", "execution_id", 'chat', "requests", "errors", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cost_pico", "unpriced_requests", "estimated_requests", "estimated_cost_pico" FROM `daily_rollups`;--> statement-breakpoint
DROP TABLE `daily_rollups`;--> statement-breakpoint
ALTER TABLE `__new_daily_rollups` RENAME TO `daily_rollups`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `requests` ADD `dialect` text DEFAULT 'chat' NOT NULL;