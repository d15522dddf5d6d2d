// plugin_entry.cpp — exports MailchimpSource as the "mailchimp" plugin.
#include "mailchimp_source.hpp"

JOURNEYKIT_SOURCE_PLUGIN(journeykit::mailchimp::MailchimpSource, "mailchimp", "0.1.0",
                         "Mailchimp campaign e-mail activity (opens, clicks, bounces) as events",
                         journeykit::mailchimp::kConfigFields)
