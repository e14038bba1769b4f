ALTER TABLE `requests` ADD `prompt` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `completion` text;