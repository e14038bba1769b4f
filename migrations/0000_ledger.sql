CREATE TABLE `attempts` (
	`request_id` text NOT NULL,
	`seq` integer NOT NULL,
	`created_at` integer NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`error_kind` text,
	`http_status` integer,
	`latency_ms` integer NOT NULL,
	`ttft_ms` integer,
	PRIMARY KEY(`request_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `attempts_created` ON `attempts` (`created_at`);--> statement-breakpoint
CREATE TABLE `budgets` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`limit_pico` integer NOT NULL,
	`period` text NOT NULL,
	`alert_threshold` real NOT NULL,
	`on_limit` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `daily_rollups` (
	`workspace_id` text NOT NULL,
	`day` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`execution_id` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cached_input_tokens` integer NOT NULL,
	`cache_write_tokens` integer NOT NULL,
	`cost_pico` integer NOT NULL,
	`unpriced_requests` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `provider`, `model`, `execution_id`)
);
--> statement-breakpoint
CREATE TABLE `keys` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`name` text NOT NULL,
	`workspace_id` text NOT NULL,
	`allowed_origins` text,
	`rpm_limit` integer,
	`budget_pico` integer,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `keys_hash_unique` ON `keys` (`hash`);--> statement-breakpoint
CREATE INDEX `keys_workspace` ON `keys` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `requests` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`day` text NOT NULL,
	`workspace_id` text NOT NULL,
	`key_id` text,
	`execution_id` text,
	`strategy` text NOT NULL,
	`chain` text,
	`provider` text,
	`model` text,
	`status` text NOT NULL,
	`http_status` integer NOT NULL,
	`stream` integer NOT NULL,
	`attempt_count` integer NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cached_input_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`cost_pico` integer,
	`unpriced` integer DEFAULT false NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttft_ms` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `requests_workspace_created` ON `requests` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `requests_created` ON `requests` (`created_at`);