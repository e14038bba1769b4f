ALTER TABLE `daily_rollups` ADD `estimated_requests` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `daily_rollups` ADD `estimated_cost_pico` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `requests` ADD `usage_estimated` integer DEFAULT false NOT NULL;