import { createDynamoPersonStore } from '#contacts/privacy/dynamo-person-items.ts';
import { createDynamoPrivacy } from '#contacts/privacy/dynamo-privacy.ts';
import { createErasedAddresses } from '#contacts/privacy/erased-addresses.ts';
import { dynamo } from '../clients/dynamodb.ts';
import { config } from '../config.ts';
import { linkSecret } from '../secrets.ts';

/** Privacy requests and the erased-address list, on the table. */
export const privacy = createDynamoPrivacy(dynamo, config.TEND_TABLE_NAME);

/** Every item about one person, found and removed (the erase). */
export const personItems = createDynamoPersonStore(dynamo, config.TEND_TABLE_NAME);

/** Addresses erased on request, by keyed hash. */
export const erasedAddresses = createErasedAddresses(privacy, linkSecret);
