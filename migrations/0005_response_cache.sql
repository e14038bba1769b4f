ALTER TABLE `daily_rollups` ADD `cache_hits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `daily_rollups` ADD `cache_saved_pico` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `requests` ADD `cache_hit` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `requests` ADD `cache_saved_pico` integer;