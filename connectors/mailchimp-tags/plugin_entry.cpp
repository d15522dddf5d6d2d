// plugin_entry.cpp — exports MailchimpTagsConnector as the "mailchimp-tags" plugin.
#include "mailchimp_tags_connector.hpp"

JOURNEYKIT_CONNECTOR_PLUGIN(journeykit::mailchimp_tags::MailchimpTagsConnector, "mailchimp-tags",
                            "0.1.0",
                            "Audience and stage changes as Mailchimp member tags "
                            "(POST /lists/{list}/members/{hash}/tags)",
                            journeykit::mailchimp_tags::kConfigFields)
